import type { PaintSurface } from '../document/paintSurface.js';

/**
 * The open document's mask surface. The app installs the canvas-backed MaskBitmap at start; headless
 * tests install an ArrayPaintSurface. Kept out of zustand state: it is a big mutable bitmap.
 */
let surface: PaintSurface | null = null;

export function setPaintSurface(next: PaintSurface): void {
  surface = next;
}

export function paintSurface(): PaintSurface {
  if (!surface) throw new Error('no paint surface installed (main.tsx installs the mask bitmap)');
  return surface;
}
