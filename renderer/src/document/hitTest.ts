import type { AtelierDocument, RasterLayer } from '../../../electron/contract/document.js';

/** Topmost visible raster layer whose box contains the document point, or null. */
export function layerAt(doc: AtelierDocument, x: number, y: number): RasterLayer | null {
  for (let i = doc.layers.length - 1; i >= 0; i--) {
    const l = doc.layers[i];
    if (l.kind !== 'raster' || !l.visible) continue;
    if (x >= l.x && x < l.x + l.width && y >= l.y && y < l.y + l.height) return l;
  }
  return null;
}

export type FrameGrip = 'inside' | 'outside' | 'n' | 's' | 'e' | 'w' | 'ne' | 'nw' | 'se' | 'sw';

/** Which part of the frame a point grabs; `tolerance` is in document pixels (screen grip / zoom). */
export function frameGrip(f: { x: number; y: number; width: number; height: number }, x: number, y: number, tolerance: number): FrameGrip {
  const nearW = Math.abs(x - f.x) <= tolerance;
  const nearE = Math.abs(x - (f.x + f.width)) <= tolerance;
  const nearN = Math.abs(y - f.y) <= tolerance;
  const nearS = Math.abs(y - (f.y + f.height)) <= tolerance;
  const withinX = x >= f.x - tolerance && x <= f.x + f.width + tolerance;
  const withinY = y >= f.y - tolerance && y <= f.y + f.height + tolerance;
  if (!withinX || !withinY) return 'outside';
  const v = nearN ? 'n' : nearS ? 's' : '';
  const h = nearW ? 'w' : nearE ? 'e' : '';
  if (v || h) return (v + h) as FrameGrip;
  return 'inside';
}

/** The frame after dragging `grip` by (dx, dy), before snapping. */
export function dragFrame(f: { x: number; y: number; width: number; height: number }, grip: FrameGrip, dx: number, dy: number) {
  if (grip === 'inside') return { ...f, x: f.x + dx, y: f.y + dy };
  let { x, y, width, height } = f;
  if (grip.includes('w')) {
    x += dx;
    width -= dx;
  }
  if (grip.includes('e')) width += dx;
  if (grip.includes('n')) {
    y += dy;
    height -= dy;
  }
  if (grip.includes('s')) height += dy;
  return { x, y, width, height };
}
