import { intersect, type Rect } from './geometry.js';

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
  /** A new size, every pixel cleared. */
  reset(width: number, height: number): void;
}

export interface MaskPatch {
  rect: Rect;
  before: Uint8Array;
  after: Uint8Array;
}

/** Plain-array mask for tests and headless use. */
export class ArrayMask implements MaskSurface {
  data: Uint8Array;

  constructor(public width: number, public height: number) {
    this.data = new Uint8Array(width * height);
  }

  reset(width: number, height: number): void {
    this.width = width;
    this.height = height;
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

/**
 * The document changed size: the mask takes the new size, its pixels moved by (dx, dy) with the content
 * (growth past the left/top edge moves everything right/down). `exact` (an undo's) is the whole new mask
 * instead. Returns the old pixels when painted ones fall off the new surface (so the inverse can put them
 * back exactly), else null. Only the painted bounding box is rewritten: an empty mask costs one read.
 */
export function resizeMask(mask: MaskSurface, width: number, height: number, dx: number, dy: number, exact?: Uint8Array): Uint8Array | null {
  const oldWidth = mask.width;
  const pixels = mask.read({ x: 0, y: 0, width: oldWidth, height: mask.height });
  const box = paintedBounds(pixels, oldWidth);
  const moved = box && intersect({ ...box, x: box.x + dx, y: box.y + dy }, { x: 0, y: 0, width, height });
  const dropped = box && (!moved || moved.width !== box.width || moved.height !== box.height) ? pixels : null;
  mask.reset(width, height);
  if (exact) {
    const b = paintedBounds(exact, width);
    if (b) mask.write(b, crop(exact, width, b));
  } else if (moved) {
    mask.write(moved, crop(pixels, oldWidth, { ...moved, x: moved.x - dx, y: moved.y - dy }));
  }
  return dropped;
}

/** The smallest rect holding every set pixel, or null when none is. */
function paintedBounds(pixels: Uint8Array, width: number): Rect | null {
  let x0 = width;
  let y0 = -1;
  let x1 = -1;
  let y1 = -1;
  const height = width ? pixels.length / width : 0;
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * width, (y + 1) * width);
    const first = row.findIndex((v) => v !== 0);
    if (first < 0) continue;
    if (y0 < 0) y0 = y;
    y1 = y;
    x0 = Math.min(x0, first);
    x1 = Math.max(x1, row.findLastIndex((v) => v !== 0));
  }
  return y0 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

function crop(pixels: Uint8Array, stride: number, r: Rect): Uint8Array {
  const out = new Uint8Array(r.width * r.height);
  for (let y = 0; y < r.height; y++) out.set(pixels.subarray((r.y + y) * stride + r.x, (r.y + y) * stride + r.x + r.width), y * r.width);
  return out;
}
