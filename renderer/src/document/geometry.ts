/** Rectangles in document pixels. Pure. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

import { SIZE_LIMITS } from '../../../electron/contract/generation.js';

export const FRAME_MULTIPLE = SIZE_LIMITS.multiple;
export const FRAME_MIN = SIZE_LIMITS.min;
export const FRAME_MAX = SIZE_LIMITS.max;

export function snap(value: number, multiple = FRAME_MULTIPLE): number {
  return Math.round(value / multiple) * multiple;
}

/** A generation frame: position and size snapped to multiples of 8, size within the engine's limits. */
export function snapFrame(r: Rect): Rect {
  const clampSize = (v: number): number => Math.min(FRAME_MAX, Math.max(FRAME_MIN, snap(v)));
  return { x: snap(r.x), y: snap(r.y), width: clampSize(r.width), height: clampSize(r.height) };
}

export function intersect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

/** Keeps a size's aspect ratio near `ratio` with about the same area, snapped to 8. */
export function sizeForAspect(width: number, height: number, ratio: number): { width: number; height: number } {
  const area = width * height;
  const h = Math.sqrt(area / ratio);
  const f = snapFrame({ x: 0, y: 0, width: h * ratio, height: h });
  return { width: f.width, height: f.height };
}
