/**
 * Outlines of the shapes world's shapes (the geometry of recipes/world.py's drawer) as a user sketches them
 * for the demo ControlNet: a white stroke on a transparent layer, what the app's scribble preprocessor reads.
 * Also the filled shape an outline stands for, and the IoU of two masks (how well a picture followed it).
 * Pure: pixels in, pixels out.
 */
import type { RgbaImage } from '../../electron/core/image/types.js';
import type { ShapeName } from './world.js';

export type Point = [number, number];

/** The shape's corners (a circle as a 64-gon), centre (cx, cy), radius r in pixels, as world.py draws them. */
export function shapePolygon(shape: ShapeName, cx: number, cy: number, r: number): Point[] {
  const around = (n: number, start: number, radius: (i: number) => number): Point[] =>
    Array.from({ length: n }, (_, i) => {
      const a = start + (2 * Math.PI * i) / n;
      return [cx + radius(i) * Math.cos(a), cy + radius(i) * Math.sin(a)];
    });
  switch (shape) {
    case 'circle':
      return around(64, 0, () => r);
    case 'square':
      return [[cx - r, cy - r], [cx + r, cy - r], [cx + r, cy + r], [cx - r, cy + r]];
    case 'triangle':
      return around(3, -Math.PI / 2, () => r);
    case 'star':
      return around(10, -Math.PI / 2, (i) => (i % 2 === 0 ? r : r * 0.45));
  }
}

function segmentDistance(x: number, y: number, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

/** A closed outline `width` px wide, white on transparent, `size` × `size` (pixel centres sampled). */
export function outlineSketch(polygon: readonly Point[], size: number, width: number): RgbaImage {
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let d = Infinity;
      for (let i = 0; i < polygon.length; i++) d = Math.min(d, segmentDistance(x + 0.5, y + 0.5, polygon[i]!, polygon[(i + 1) % polygon.length]!));
      if (d <= width / 2) data.set([255, 255, 255, 255], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}

/** 1 inside the polygon (even-odd rule at pixel centres), 0 outside. */
export function filledMask(polygon: readonly Point[], size: number): Uint8Array {
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      let inside = false;
      for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
        const [xi, yi] = polygon[i]!;
        const [xj, yj] = polygon[j]!;
        if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
      }
      mask[y * size + x] = inside ? 1 : 0;
    }
  }
  return mask;
}

/** Intersection over union of two 0/1 masks of the same size (0 when both are empty). */
export function maskIoU(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`masks differ in size (${a.length} and ${b.length} pixels)`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i]! & b[i]!;
    union += a[i]! | b[i]!;
  }
  return union === 0 ? 0 : inter / union;
}
