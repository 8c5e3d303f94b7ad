import type { GrayImage } from '../../image/types.js';
import { distanceTransform } from './distance.js';

/** A pixel rectangle [x0, x1) × [y0, y1). */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Threshold shared with mask.ts: a mask value of 128 or more counts as "repaint". */
export const MASK_ON = 128;

/** Bounding box of the pixels with value ≥ `threshold`, or undefined when there are none. */
export function maskBounds(mask: GrayImage, threshold = 1): Rect | undefined {
  const { width: w, height: h, data } = mask;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (data[row + x]! >= threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return x1 < 0 ? undefined : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

export function padRect(r: Rect, pad: number, width: number, height: number): Rect {
  return {
    x0: Math.max(0, r.x0 - pad),
    y0: Math.max(0, r.y0 - pad),
    x1: Math.min(width, r.x1 + pad),
    y1: Math.min(height, r.y1 + pad),
  };
}

/**
 * Inside and outside distances over a rectangle of the mask: `inside[i]` is the distance of a masked
 * pixel to the nearest unmasked one (0 for unmasked pixels), `outside[i]` the distance of an unmasked
 * pixel to the nearest masked one (0 for masked pixels). The image border is not an edge: a mask that
 * touches it has no seam there.
 */
export function signedDistances(mask: GrayImage, r: Rect): { inside: Float32Array; outside: Float32Array } {
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  const on = new Uint8Array(w * h);
  const off = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = (r.y0 + y) * mask.width + r.x0;
    for (let x = 0; x < w; x++) {
      const m = mask.data[src + x]! >= MASK_ON ? 1 : 0;
      on[y * w + x] = m;
      off[y * w + x] = 1 - m;
    }
  }
  return { inside: distanceTransform(off, w, h), outside: distanceTransform(on, w, h) };
}
