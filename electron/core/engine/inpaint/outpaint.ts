/**
 * Outpainting as inpainting of empty pixels. The app sends the frame with its empty part transparent;
 * the CLI grows the input picture by transparent margins (`growCanvas`). Either way the engine calls
 * `outpaintInputs` before encoding: empty pixels join the mask and are pre-filled from their
 * surroundings (a smooth push-pull continuation of the old picture's edge colours), so nothing in
 * the pipeline ever sees them as grey — not the VAE encoder around the edge, not the paste-back's
 * feather, which fades from the generated pixels to this continuation instead of to a grey fill.
 * The repaint margin (gridMask.ts) overlaps the old picture and the paste-back's colour match reads
 * the ring of old pixels just outside, as for any inpaint. Pure maths, no I/O.
 */
import { EMPTY_ALPHA } from '../../../contract/generation.js';
import { createGray, type GrayImage, type RgbaImage } from '../../image/types.js';
import { EngineError } from '../types.js';
import { planes } from './pyramid.js';
import { coarsePushPullFill } from './pyramidBlend.js';

export { EMPTY_ALPHA };

/** Block size of the smooth fill: coarse enough to carry colour, not detail. */
const FILL_BLOCK = 8;

export const OUTPAINT_SIDES = ['left', 'right', 'top', 'bottom'] as const;
export type OutpaintSide = (typeof OUTPAINT_SIDES)[number];
export type Extend = Record<OutpaintSide, number>;

/** `left:64,bottom:128` → margins; one sentence for anything else. */
export function parseExtend(text: string, multiple = 8): Extend {
  const out: Extend = { left: 0, right: 0, top: 0, bottom: 0 };
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new EngineError('--extend needs SIDE:PX, e.g. right:128 or left:64,top:64');
  for (const part of parts) {
    const m = /^(left|right|top|bottom):(\d+)$/.exec(part);
    if (!m) throw new EngineError(`--extend: "${part}" is not SIDE:PX (SIDE is left, right, top or bottom; PX a whole number)`);
    const px = Number(m[2]);
    if (px % multiple !== 0) throw new EngineError(`--extend: ${m[1]} ${px} px is not a multiple of ${multiple}`);
    out[m[1] as OutpaintSide] += px;
  }
  if (out.left + out.right + out.top + out.bottom === 0) throw new EngineError('--extend: at least one side must grow by more than 0 px');
  return out;
}

/** The picture placed inside a larger transparent canvas, and the mask of the new area (255). */
export function growCanvas(image: RgbaImage, extend: Extend): { image: RgbaImage; mask: GrayImage } {
  const width = image.width + extend.left + extend.right;
  const height = image.height + extend.top + extend.bottom;
  const data = new Uint8Array(width * height * 4);
  const mask = createGray(width, height, 255);
  for (let y = 0; y < image.height; y++) {
    const row = (y + extend.top) * width + extend.left;
    data.set(image.data.subarray(y * image.width * 4, (y + 1) * image.width * 4), row * 4);
    mask.data.fill(0, row, row + image.width);
  }
  return { image: { width, height, data }, mask };
}

export function hasEmptyPixels(image: RgbaImage): boolean {
  for (let i = 3; i < image.data.length; i += 4) if (image.data[i]! < EMPTY_ALPHA) return true;
  return false;
}

/**
 * Inputs for an inpaint whose init image may have empty pixels: the image opaque, its empty pixels
 * pre-filled from their surroundings (partly transparent ones composited over that fill), and the
 * mask grown by the empty pixels. Without empty pixels both come back as they were.
 */
export function outpaintInputs(image: RgbaImage, mask: GrayImage): { image: RgbaImage; mask: GrayImage } {
  if (!hasEmptyPixels(image)) return { image, mask };
  const { width: w, height: h } = image;
  const n = w * h;
  const rgb = planes(w, h, 3);
  const known = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const a = image.data[p * 4 + 3]!;
    // Known pixels weigh by their alpha, so half-covered edge pixels count half.
    known[p] = a < EMPTY_ALPHA ? 0 : a / 255;
    for (let c = 0; c < 3; c++) rgb.data[c * n + p] = image.data[p * 4 + c]!;
  }
  const fill = coarsePushPullFill(rgb, known, FILL_BLOCK);
  const out = new Uint8Array(image.data);
  const grown = new Uint8Array(mask.data);
  for (let p = 0; p < n; p++) {
    const a = image.data[p * 4 + 3]!;
    if (a === 255) continue;
    const t = a < EMPTY_ALPHA ? 0 : a / 255;
    for (let c = 0; c < 3; c++) out[p * 4 + c] = Math.round(image.data[p * 4 + c]! * t + fill.data[c * n + p]! * (1 - t));
    out[p * 4 + 3] = 255;
    if (a < EMPTY_ALPHA) grown[p] = 255;
  }
  return { image: { width: w, height: h, data: out }, mask: { width: w, height: h, data: grown } };
}
