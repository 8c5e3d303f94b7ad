import type { Rect } from './geometry.js';
import { intersect } from './geometry.js';
import { ArrayMask, type MaskPatch, type MaskSurface } from './maskSurface.js';

/** A mask you can paint strokes into: the canvas bitmap in the app, `ArrayPaintSurface` headless. */
export interface PaintSurface extends MaskSurface {
  reset(width: number, height: number): void;
  beginStroke(x: number, y: number, size: number, hardness: number, erase: boolean): void;
  strokeTo(x: number, y: number): void;
  /** The undo patch of the finished stroke, or null when nothing changed. */
  endStroke(): MaskPatch | null;
  cancelStroke(): void;
}

/**
 * Headless paint surface: hard round stamps into a Uint8Array (same contract as the canvas bitmap:
 * committed pixels are the undo "before", Escape restores them). Used by tool tests.
 */
export class ArrayPaintSurface implements PaintSurface {
  private mask: ArrayMask;
  private committed: ArrayMask;
  private stroke: { size: number; erase: boolean; last: { x: number; y: number }; dirty: Rect | null } | null = null;

  constructor(public width: number, public height: number) {
    this.mask = new ArrayMask(width, height);
    this.committed = new ArrayMask(width, height);
  }

  get data(): Uint8Array {
    return this.mask.data;
  }

  reset(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.mask = new ArrayMask(width, height);
    this.committed = new ArrayMask(width, height);
  }

  read(r: Rect): Uint8Array {
    return this.committed.read(r);
  }

  write(r: Rect, pixels: Uint8Array): void {
    this.mask.write(r, pixels);
    this.committed.write(r, pixels);
  }

  beginStroke(x: number, y: number, size: number, _hardness: number, erase: boolean): void {
    this.stroke = { size, erase, last: { x, y }, dirty: null };
    this.stamp(x, y);
  }

  strokeTo(x: number, y: number): void {
    const s = this.stroke;
    if (!s) return;
    const n = Math.max(1, Math.ceil(Math.hypot(x - s.last.x, y - s.last.y) / Math.max(1, s.size / 4)));
    for (let i = 1; i <= n; i++) this.stamp(s.last.x + ((x - s.last.x) * i) / n, s.last.y + ((y - s.last.y) * i) / n);
    s.last = { x, y };
  }

  endStroke(): MaskPatch | null {
    const r = this.stroke?.dirty ?? null;
    this.stroke = null;
    if (!r) return null;
    const before = this.committed.read(r);
    const after = this.mask.read(r);
    this.committed.write(r, after);
    return { rect: r, before, after };
  }

  cancelStroke(): void {
    const r = this.stroke?.dirty;
    this.stroke = null;
    if (r) this.mask.write(r, this.committed.read(r));
  }

  private stamp(cx: number, cy: number): void {
    const s = this.stroke!;
    const rad = s.size / 2;
    const box = intersect({ x: Math.floor(cx - rad), y: Math.floor(cy - rad), width: Math.ceil(2 * rad) + 1, height: Math.ceil(2 * rad) + 1 }, { x: 0, y: 0, width: this.width, height: this.height });
    if (!box) return;
    for (let y = box.y; y < box.y + box.height; y++) {
      for (let x = box.x; x < box.x + box.width; x++) {
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= rad * rad) this.mask.data[y * this.width + x] = s.erase ? 0 : 255;
      }
    }
    const d = s.dirty;
    s.dirty = d ? { x: Math.min(d.x, box.x), y: Math.min(d.y, box.y), width: Math.max(d.x + d.width, box.x + box.width) - Math.min(d.x, box.x), height: Math.max(d.y + d.height, box.y + box.height) - Math.min(d.y, box.y) } : box;
  }
}
