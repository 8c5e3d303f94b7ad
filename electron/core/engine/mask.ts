import type { GrayImage, RgbaImage } from '../image/types.js';

/**
 * Mask maths for inpainting. Convention: 255 repaints, 0 keeps. Pure functions, no I/O.
 */

export const MAX_FEATHER = 8;

/** Chamfer distance (1, √2) from every pixel to the nearest pixel where `isSource` is false. */
function distanceToOutside(mask: GrayImage, isInside: (v: number) => boolean): Float32Array {
  const { width: w, height: h, data } = mask;
  const INF = 1e9;
  const d = new Float32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = isInside(data[i]!) ? INF : 0;
  const D = Math.SQRT2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      let v = d[i]!;
      if (v === 0) continue;
      // Pixels past the image edge count as inside: the border is not a seam (there is nothing beyond it
      // to blend with), and fading there washed a mask touching it — an outpainted strip — to the original.
      const left = x > 0 ? d[i - 1]! + 1 : INF;
      const up = y > 0 ? d[i - w]! + 1 : INF;
      const upLeft = x > 0 && y > 0 ? d[i - w - 1]! + D : INF;
      const upRight = x < w - 1 && y > 0 ? d[i - w + 1]! + D : INF;
      v = Math.min(v, left, up, upLeft, upRight);
      d[i] = v;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      let v = d[i]!;
      if (v === 0) continue;
      const right = x < w - 1 ? d[i + 1]! + 1 : INF;
      const down = y < h - 1 ? d[i + w]! + 1 : INF;
      const downRight = x < w - 1 && y < h - 1 ? d[i + w + 1]! + D : INF;
      const downLeft = x > 0 && y < h - 1 ? d[i + w - 1]! + D : INF;
      v = Math.min(v, right, down, downRight, downLeft);
      d[i] = v;
    }
  }
  return d;
}

/**
 * Paste-back weights in [0, 1]: the user's mask, faded over `feather` pixels INSIDE its edge,
 * so every pixel the user did not mask keeps weight 0 (byte-identical after compositing).
 * Soft brush values scale the weight.
 */
export function featherWeights(mask: GrayImage, feather: number): Float32Array {
  const f = Math.max(0, Math.min(MAX_FEATHER, Math.round(feather)));
  const out = new Float32Array(mask.width * mask.height);
  const dist = f > 0 ? distanceToOutside(mask, (v) => v >= 128) : undefined;
  for (let i = 0; i < out.length; i++) {
    const m = mask.data[i]!;
    if (m === 0) continue;
    const ramp = dist ? Math.min(1, dist[i]! / (f + 1)) : 1;
    out[i] = (m / 255) * ramp;
  }
  return out;
}

/** out = original·(1−w) + generated·w per channel; w = 0 leaves the original's bytes untouched. */
export function compositeWithWeights(original: RgbaImage, generated: RgbaImage, weights: Float32Array): RgbaImage {
  if (original.width !== generated.width || original.height !== generated.height) {
    throw new Error('composite: images differ in size');
  }
  const out = new Uint8Array(original.data);
  const g = generated.data;
  for (let p = 0; p < weights.length; p++) {
    const w = weights[p]!;
    if (w === 0) continue;
    const i = p * 4;
    for (let c = 0; c < 3; c++) out[i + c] = Math.round(out[i + c]! * (1 - w) + g[i + c]! * w);
    out[i + 3] = Math.round(out[i + 3]! * (1 - w) + 255 * w);
  }
  return { width: original.width, height: original.height, data: out };
}

/**
 * The mask at latent resolution (one value per 8×8 cell), dilated to the grid: a cell is repainted
 * when any of its pixels is. Values in {0, 1}.
 */
export function maskToLatentGrid(mask: GrayImage, factor = 8): Float32Array {
  const lw = Math.floor(mask.width / factor);
  const lh = Math.floor(mask.height / factor);
  const out = new Float32Array(lw * lh);
  for (let y = 0; y < mask.height; y++) {
    const ly = Math.min(lh - 1, Math.floor(y / factor));
    const row = y * mask.width;
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[row + x]! >= 128) out[ly * lw + Math.min(lw - 1, Math.floor(x / factor))] = 1;
    }
  }
  return out;
}

export function isMaskEmpty(mask: GrayImage): boolean {
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i]! >= 128) return false;
  return true;
}
