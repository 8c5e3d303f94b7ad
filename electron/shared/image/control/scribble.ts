import type { GrayImage, RgbaImage } from '../pixels.js';
import { dropSmallComponents, gaussianBlur, hysteresis, maxFilter, stampDiscs, thin } from './planes.js';

/**
 * A sketch → the map scribble ControlNets expect: white lines of one width on black. The ControlNet authors
 * made their scribble maps from HED edges, thinned (NMS) and thickened again (Gaussian σ 3, every non-zero
 * pixel white), so the network sees lines of a roughly constant width, not the user's pen. We do the same
 * with the strokes themselves: find the ink, thin it to its centre line, and draw that line `lineWidth` wide.
 *
 * Ink: on a sketch on a transparent layer (most pixels transparent) every painted pixel is ink, whatever its
 * colour. Otherwise (paper, a scan, a photo of a drawing) ink is what is darker than the paper around it,
 * by `inkContrast` of the paper's brightness; the paper level is estimated locally so a shadow across a
 * photographed page does not become a stroke.
 */
export interface ScribbleOptions {
  /** Width of the output lines in pixels; by default 1/64 of the shorter side, at least 2. */
  lineWidth?: number;
  /** How much darker than the surrounding paper ink is, as a fraction of the paper's brightness. */
  inkContrast: number;
  /** Ink specks with fewer pixels than this are dust or paper grain; by default scaled with the image. */
  minArea?: number;
}

export const SCRIBBLE_DEFAULTS: ScribbleOptions = { inkContrast: 0.3 };

export function defaultLineWidth(width: number, height: number): number {
  return Math.max(2, Math.round(Math.min(width, height) / 64));
}

/** 255 on the lines, 0 elsewhere, the size of `image`. */
export function scribbleLines(image: RgbaImage, options: Partial<ScribbleOptions> = {}): GrayImage {
  const { width: w, height: h } = image;
  const o = { ...SCRIBBLE_DEFAULTS, ...options };
  if (!(o.inkContrast > 0 && o.inkContrast < 1)) throw new RangeError(`scribble ink contrast must be between 0 and 1 (got ${o.inkContrast})`);
  const lineWidth = o.lineWidth ?? defaultLineWidth(w, h);
  if (!(lineWidth >= 1 && lineWidth <= 256)) throw new RangeError(`scribble line width must be 1 to 256 pixels (got ${lineWidth})`);
  const bits = inkBits(image, o.inkContrast);
  dropSmallComponents(bits, w, h, o.minArea ?? Math.max(4, Math.round((w * h) / 20_000)));
  thin(bits, w, h);
  return { width: w, height: h, data: stampDiscs(bits, w, h, lineWidth) };
}

/** 1 where there is ink. */
function inkBits(image: RgbaImage, contrast: number): Uint8Array {
  const { width: w, height: h, data: d } = image;
  const n = w * h;
  const bits = new Uint8Array(n);
  let transparent = 0;
  for (let p = 0; p < n; p++) if (d[p * 4 + 3]! < 128) transparent++;
  if (transparent * 2 > n) {
    for (let p = 0; p < n; p++) bits[p] = d[p * 4 + 3]! >= 128 ? 1 : 0;
    return bits;
  }
  // Luma over white paper (BT.601), lightly smoothed against grain.
  const luma = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const a = d[p * 4 + 3]! / 255;
    luma[p] = (0.299 * d[p * 4]! + 0.587 * d[p * 4 + 1]! + 0.114 * d[p * 4 + 2]!) * a + 255 * (1 - a);
  }
  const smooth = gaussianBlur(luma, w, h, 0.7);
  // Paper: the brightest nearby value (strokes thinner than 2r vanish), smoothed so it follows light, not grain.
  const r = Math.max(3, Math.round(Math.min(w, h) / 10));
  const paper = gaussianBlur(maxFilter(smooth, w, h, r), w, h, r / 2);
  const darkness = new Float32Array(n);
  for (let p = 0; p < n; p++) darkness[p] = (Math.max(paper[p]!, 1) - smooth[p]!) / Math.max(paper[p]!, 1);
  // Hysteresis, as in Canny: a stroke's fainter stretches (less pressure, out of focus) stay joined to it,
  // while equally faint smudges on their own do not become lines.
  const ink = hysteresis(darkness, w, h, contrast * 0.7, contrast);
  for (let p = 0; p < n; p++) bits[p] = ink[p]! >> 7;
  return bits;
}
