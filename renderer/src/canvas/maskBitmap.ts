import type { Rect } from '../document/geometry.js';
import { intersect } from '../document/geometry.js';
import type { MaskPatch } from '../document/maskSurface.js';
import type { PaintSurface } from '../document/paintSurface.js';

/** Tint of painted mask pixels; the overlay's CSS opacity makes it translucent. */
const TINT = [255, 48, 96] as const;

/**
 * The painted inpaint mask as an offscreen bitmap in document pixels. Strokes are stamped straight into
 * the canvas (cost per segment ∝ brush area, independent of document size and stroke length), so a
 * 4096² document paints as fast as a small one. `committed` mirrors the canvas alpha as of the last
 * committed stroke: it supplies the "before" pixels of an undo patch and the mask for generation.
 */
export class MaskBitmap implements PaintSurface {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private committed: Uint8Array;
  private dirty: Rect | null = null;
  private tip: HTMLCanvasElement | null = null;
  private tipKey = '';
  private last: { x: number; y: number } | null = null;
  private erasing = false;

  constructor(public width: number, public height: number) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = width;
    this.canvas.height = height;
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas');
    this.ctx = ctx;
    this.committed = new Uint8Array(width * height);
  }

  /** A new document: new size, empty mask. */
  reset(width: number, height: number): void {
    this.width = this.canvas.width = width;
    this.height = this.canvas.height = height;
    this.committed = new Uint8Array(width * height);
    this.dirty = null;
  }

  read(r: Rect): Uint8Array {
    const out = new Uint8Array(r.width * r.height);
    const clip = intersect(r, { x: 0, y: 0, width: this.width, height: this.height });
    if (!clip) return out;
    for (let y = 0; y < clip.height; y++) {
      const src = (clip.y + y) * this.width + clip.x;
      out.set(this.committed.subarray(src, src + clip.width), (clip.y - r.y + y) * r.width + (clip.x - r.x));
    }
    return out;
  }

  write(r: Rect, pixels: Uint8Array): void {
    const img = this.ctx.createImageData(r.width, r.height);
    for (let i = 0, p = 0; i < pixels.length; i++, p += 4) {
      img.data[p] = TINT[0];
      img.data[p + 1] = TINT[1];
      img.data[p + 2] = TINT[2];
      img.data[p + 3] = pixels[i];
    }
    this.ctx.putImageData(img, r.x, r.y);
    for (let y = 0; y < r.height; y++) this.committed.set(pixels.subarray(y * r.width, (y + 1) * r.width), (r.y + y) * this.width + r.x);
  }

  /** True if any pixel of the committed mask is set. */
  isEmpty(): boolean {
    for (let i = 0; i < this.committed.length; i++) if (this.committed[i]) return false;
    return true;
  }

  beginStroke(x: number, y: number, size: number, hardness: number, erase: boolean): void {
    this.erasing = erase;
    this.dirty = null;
    this.last = null;
    this.ensureTip(size, hardness);
    this.strokeTo(x, y);
  }

  /** Stamps the tip along the segment from the last point; returns the segment's dirty rect. */
  strokeTo(x: number, y: number): void {
    const tip = this.tip;
    if (!tip) return;
    const size = tip.width;
    const from = this.last ?? { x, y };
    const dist = Math.hypot(x - from.x, y - from.y);
    const spacing = Math.max(1, size * 0.12);
    const n = Math.max(1, Math.ceil(dist / spacing));
    this.ctx.globalCompositeOperation = this.erasing ? 'destination-out' : 'source-over';
    for (let i = this.last ? 1 : 0; i <= n; i++) {
      const t = i / n;
      this.ctx.drawImage(tip, from.x + (x - from.x) * t - size / 2, from.y + (y - from.y) * t - size / 2);
    }
    this.ctx.globalCompositeOperation = 'source-over';
    const seg = {
      x: Math.floor(Math.min(from.x, x) - size / 2 - 1),
      y: Math.floor(Math.min(from.y, y) - size / 2 - 1),
      width: Math.ceil(Math.abs(x - from.x) + size + 2),
      height: Math.ceil(Math.abs(y - from.y) + size + 2),
    };
    const clipped = intersect(seg, { x: 0, y: 0, width: this.width, height: this.height });
    if (clipped) this.dirty = this.dirty ? unionRect(this.dirty, clipped) : clipped;
    this.last = { x, y };
  }

  /** Ends the stroke: the undo patch of what changed, or null when nothing did. */
  endStroke(): MaskPatch | null {
    const r = this.dirty;
    this.dirty = null;
    this.last = null;
    if (!r) return null;
    const before = this.read(r);
    const data = this.ctx.getImageData(r.x, r.y, r.width, r.height).data;
    const after = new Uint8Array(r.width * r.height);
    for (let i = 0; i < after.length; i++) after[i] = data[i * 4 + 3];
    for (let y = 0; y < r.height; y++) this.committed.set(after.subarray(y * r.width, (y + 1) * r.width), (r.y + y) * this.width + r.x);
    return { rect: r, before, after };
  }

  /** Escape: puts the committed pixels back. */
  cancelStroke(): void {
    const r = this.dirty;
    this.dirty = null;
    this.last = null;
    if (r) this.write(r, this.read(r));
  }

  private ensureTip(size: number, hardness: number): void {
    const d = Math.max(1, Math.round(size));
    const key = `${d}/${hardness}`;
    if (key === this.tipKey && this.tip) return;
    const tip = document.createElement('canvas');
    tip.width = tip.height = d;
    const c = tip.getContext('2d');
    if (!c) return;
    const r = d / 2;
    const g = c.createRadialGradient(r, r, 0, r, r, r);
    const color = `rgba(${TINT[0]},${TINT[1]},${TINT[2]},`;
    g.addColorStop(0, `${color}1)`);
    g.addColorStop(Math.min(0.99, Math.max(0, hardness)), `${color}1)`);
    g.addColorStop(1, `${color}0)`);
    c.fillStyle = g;
    c.beginPath();
    c.arc(r, r, r, 0, Math.PI * 2);
    c.fill();
    this.tip = tip;
    this.tipKey = key;
  }
}

function unionRect(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

