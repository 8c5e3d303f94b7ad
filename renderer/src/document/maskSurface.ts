import type { Rect } from './geometry.js';

/**
 * The inpaint mask: one 8-bit channel in document pixels (255 = repaint). The renderer keeps it in an
 * offscreen canvas; tests use `ArrayMask`. Undo works on patches: the pixels of a rect before and after.
 */
export interface MaskSurface {
  readonly width: number;
  readonly height: number;
  /** Copy of the pixels in `r` (clipped by the caller to the surface). */
  read(r: Rect): Uint8Array;
  write(r: Rect, pixels: Uint8Array): void;
}

export interface MaskPatch {
  rect: Rect;
  before: Uint8Array;
  after: Uint8Array;
}

/** Plain-array mask for tests and headless use. */
export class ArrayMask implements MaskSurface {
  readonly data: Uint8Array;

  constructor(readonly width: number, readonly height: number) {
    this.data = new Uint8Array(width * height);
  }

  read(r: Rect): Uint8Array {
    const out = new Uint8Array(r.width * r.height);
    for (let y = 0; y < r.height; y++) out.set(this.data.subarray((r.y + y) * this.width + r.x, (r.y + y) * this.width + r.x + r.width), y * r.width);
    return out;
  }

  write(r: Rect, pixels: Uint8Array): void {
    for (let y = 0; y < r.height; y++) this.data.set(pixels.subarray(y * r.width, (y + 1) * r.width), (r.y + y) * this.width + r.x);
  }
}

/** True when any pixel is set. */
export function anySet(pixels: Uint8Array): boolean {
  for (let i = 0; i < pixels.length; i++) if (pixels[i] !== 0) return true;
  return false;
}
