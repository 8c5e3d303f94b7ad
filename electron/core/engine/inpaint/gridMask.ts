import type { GrayImage } from '../../image/types.js';
import { distanceTransform } from './distance.js';
import { MASK_ON } from './region.js';

/**
 * The region the model repaints: the user's mask grown by a context margin and then to whole cells
 * of the latent grid. The margin gives the model room to continue the surroundings past the mask, so
 * the paste-back (which uses the user's own mask) blends over pixels the model actually generated,
 * and colour matching can compare generated and original pixels on the same ring.
 */

/** Per latent cell (factor × factor pixels): 1 when any pixel of the cell lies within `marginPx` of the mask. */
export function repaintLatentMask(mask: GrayImage, marginPx: number, factor = 8): Float32Array {
  const lw = Math.floor(mask.width / factor);
  const lh = Math.floor(mask.height / factor);
  const out = new Float32Array(lw * lh);
  const near = nearMask(mask, marginPx);
  for (let y = 0; y < mask.height; y++) {
    const ly = Math.min(lh - 1, Math.floor(y / factor));
    const row = y * mask.width;
    for (let x = 0; x < mask.width; x++) {
      if (near[row + x]) out[ly * lw + Math.min(lw - 1, Math.floor(x / factor))] = 1;
    }
  }
  return out;
}

/** The same region at pixel resolution (255 = repainted by the model), e.g. for pre-fill and tests. */
export function repaintPixelMask(mask: GrayImage, marginPx: number, factor = 8): GrayImage {
  const lw = Math.floor(mask.width / factor);
  const lh = Math.floor(mask.height / factor);
  const grid = repaintLatentMask(mask, marginPx, factor);
  const data = new Uint8Array(mask.width * mask.height);
  for (let y = 0; y < mask.height; y++) {
    const ly = Math.min(lh - 1, Math.floor(y / factor));
    for (let x = 0; x < mask.width; x++) {
      if (grid[ly * lw + Math.min(lw - 1, Math.floor(x / factor))]) data[y * mask.width + x] = 255;
    }
  }
  return { width: mask.width, height: mask.height, data };
}

/** 1 for pixels within `marginPx` (Euclidean) of a masked pixel. */
function nearMask(mask: GrayImage, marginPx: number): Uint8Array {
  const n = mask.width * mask.height;
  const on = new Uint8Array(n);
  for (let i = 0; i < n; i++) on[i] = mask.data[i]! >= MASK_ON ? 1 : 0;
  const margin = Math.max(0, marginPx);
  if (margin === 0) return on;
  const d = distanceTransform(on, mask.width, mask.height);
  const near = new Uint8Array(n);
  for (let i = 0; i < n; i++) near[i] = d[i]! <= margin ? 1 : 0;
  return near;
}
