import { api, errorMessage } from '../api/api.js';
import { isControlLayer, type RasterLayer } from '../../../electron/contract/document.js';
import { newId, rasterLayer } from '../document/newDocument.js';
import { canvasPng, layerSource } from '../generate/compositeFrame.js';
import { useStore } from '../state/store.js';
import type { StrokePainter } from '../tools/paint/strokePainter.js';
import { primeImage } from './imageCache.js';

/** A stroke on its own document-sized canvas: shown over the layers until its layer update lands. */
export interface PendingStroke {
  id: string;
  canvas: HTMLCanvasElement;
  /** Clears the layer under it when committed (shown meanwhile as a grey trace, never part of the picture). */
  erase: boolean;
  /** Drawn on a Control layer: a sketch for a ControlNet, shown on the canvas but never part of the picture. */
  control: boolean;
}

/**
 * The app's Paint strokes: drawn into a canvas as the pointer moves (round caps, the brush size), then
 * merged into the selected visible raster layer — or a new transparent "Paint" layer over the document —
 * stored as PNG and swapped in with one `updateLayer` (one undo step). Commits run one after another, so
 * a quick second stroke merges into the first one's result.
 */
export class CanvasStrokePainter implements StrokePainter {
  readonly strokes: PendingStroke[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly endListeners = new Set<() => void>();
  private current: { stroke: PendingStroke; ctx: CanvasRenderingContext2D; x: number; y: number } | null = null;
  private queue: Promise<void> = Promise.resolve();

  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => void this.listeners.delete(cb);
  }

  /** A stroke was released (before it is stored): Live reads it at once instead of waiting for its layer. */
  onStrokeEnd(cb: () => void): () => void {
    this.endListeners.add(cb);
    return () => void this.endListeners.delete(cb);
  }

  /** Released strokes not yet in their layer that add to the picture, oldest first (what Live composites). */
  finishedStrokes(): PendingStroke[] {
    return this.strokes.filter((s) => s !== this.current?.stroke && !s.erase && !s.control);
  }

  begin(x: number, y: number, size: number, hardness: number, colour: string, erase = false): void {
    const doc = useStore.getState().undoHistory.doc;
    const canvas = document.createElement('canvas');
    canvas.width = doc.width;
    canvas.height = doc.height;
    const ctx = canvas.getContext('2d')!;
    ctx.strokeStyle = colour;
    ctx.lineWidth = size;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    // Softer brushes: a blur proportional to the soft part of the radius.
    if (hardness < 1) ctx.filter = `blur(${((1 - hardness) * size) / 6}px)`;
    const selected = doc.layers.find((l) => l.id === useStore.getState().selectedLayerId);
    const stroke = { id: newId('stroke'), canvas, erase, control: !!selected && isControlLayer(selected) && selected.visible };
    this.strokes.push(stroke);
    this.current = { stroke, ctx, x, y };
    this.segment(x, y);
  }

  to(x: number, y: number): void {
    if (this.current) this.segment(x, y);
  }

  end(): Promise<void> {
    const cur = this.current;
    this.current = null;
    if (!cur) return Promise.resolve();
    this.queue = this.queue.then(() => this.commit(cur.stroke)).finally(() => this.remove(cur.stroke));
    for (const l of this.endListeners) l();
    return this.queue;
  }

  cancel(): void {
    if (this.current) this.remove(this.current.stroke);
    this.current = null;
  }

  private segment(x: number, y: number): void {
    const c = this.current!;
    c.ctx.beginPath();
    c.ctx.moveTo(c.x, c.y);
    c.ctx.lineTo(x, y);
    c.ctx.stroke();
    c.x = x;
    c.y = y;
    this.notify();
  }

  private remove(stroke: PendingStroke): void {
    const i = this.strokes.indexOf(stroke);
    if (i >= 0) this.strokes.splice(i, 1);
    this.notify();
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  private async commit(stroke: PendingStroke): Promise<void> {
    const s = useStore.getState();
    const doc = s.undoHistory.doc;
    const selected = doc.layers.find((l) => l.id === s.selectedLayerId);
    const target = selected?.kind === 'raster' && selected.visible ? (selected as RasterLayer) : null;
    // Nothing to erase without a layer: an erase stroke never makes a new one.
    if (stroke.erase && !target) return;
    try {
      const base = target ? await layerSource(target) : null;
      const w = target ? sourceSize(base!, target).width : doc.width;
      const h = target ? sourceSize(base!, target).height : doc.height;
      const out = document.createElement('canvas');
      out.width = w;
      out.height = h;
      const ctx = out.getContext('2d')!;
      if (base) ctx.drawImage(base, 0, 0, w, h);
      // The stroke is in document pixels; the layer may sit elsewhere and be scaled.
      const sx = target ? w / target.width : 1;
      const sy = target ? h / target.height : 1;
      if (stroke.erase) ctx.globalCompositeOperation = 'destination-out';
      ctx.drawImage(stroke.canvas, -(target?.x ?? 0) * sx, -(target?.y ?? 0) * sy, doc.width * sx, doc.height * sy);
      const png = await canvasPng(out);
      const { imageId } = await api.putImage(png);
      primeImage(imageId, await decoded(png));
      const now = useStore.getState();
      // The document changed under the stroke (New, Open): drop it rather than paint into another document.
      if (now.undoHistory.doc.id !== doc.id) return;
      // Off the overlay in the same task as into the layer: what Live composites never has it twice or not at all.
      this.remove(stroke);
      if (target && now.undoHistory.doc.layers.some((l) => l.id === target.id)) {
        now.perform({ type: 'updateLayer', id: target.id, patch: { imageId } }, stroke.erase ? 'Erase' : 'Paint');
      } else {
        const layer = rasterLayer('Paint', imageId, { x: 0, y: 0, width: doc.width, height: doc.height });
        now.perform({ type: 'addLayer', layer, index: now.undoHistory.doc.layers.length }, 'Paint');
        now.selectLayer(layer.id);
      }
      performance.mark('paint-committed');
    } catch (e) {
      useStore.getState().setGenerate({ error: `The stroke could not be stored: ${errorMessage(e)}` });
    }
  }
}

function sourceSize(src: CanvasImageSource, layer: RasterLayer): { width: number; height: number } {
  if (src instanceof HTMLImageElement) return { width: src.naturalWidth, height: src.naturalHeight };
  if (src instanceof HTMLCanvasElement) return { width: src.width, height: src.height };
  return { width: layer.width, height: layer.height };
}

function decoded(png: Uint8Array): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
  const img = new Image();
  img.src = url;
  return img.decode().then(() => img).finally(() => URL.revokeObjectURL(url));
}

/** The app's one painter (main.tsx installs it; the canvas shows its pending strokes). */
export const canvasStrokes = new CanvasStrokePainter();
