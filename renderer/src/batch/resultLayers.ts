import type { GeneratedImageRef } from '../../../electron/contract/api.js';
import type { DocCommand } from '../document/commands.js';
import { documentGrowth } from '../document/documentGrowth.js';
import { layerNameFromPrompt, rasterLayer } from '../document/newDocument.js';
import { useStore } from '../state/store.js';
import type { StagedBatch } from './stagingSlice.js';

/** What a finished job needs to become layers: where it ran and what it was asked. */
export type JobResultContext = Omit<StagedBatch, 'images' | 'picked' | 'shown'>;

/**
 * The commands that add `images` of a job as layers at its frame, named "prompt · seed N", plus its
 * history entry, growing the document when the frame reaches past it (outpainting): one undo step.
 */
export function resultCommands(ctx: JobResultContext, images: GeneratedImageRef[]): { commands: DocCommand[]; lastId: string | null } {
  const doc = useStore.getState().undoHistory.doc;
  const grow = documentGrowth(doc, ctx.frame);
  const frame = grow.frame;
  const commands: DocCommand[] = [...grow.commands];
  let lastId: string | null = null;
  const base = layerNameFromPrompt(ctx.prompt, ctx.mode === 'inpaint' ? 'Inpaint' : 'Generation');
  images.forEach((img, i) => {
    // The seed tells the images of a batch apart (and re-runs them); "#2" at the end of a long name was cut off.
    const mask = ctx.mode === 'inpaint' && ctx.maskImageId ? { imageId: ctx.maskImageId, x: frame.x, y: frame.y, width: frame.width, height: frame.height } : undefined;
    const layer = rasterLayer(`${base} · seed ${img.seed}`, img.imageId, { x: frame.x, y: frame.y, width: img.width, height: img.height }, {
      ...(mask ? { mask } : {}),
      // The model the job started with, as the core reports it (not the one picked since).
      source: { historyEntryId: img.historyEntryId, ...(ctx.model ? { model: ctx.model } : {}), ...(ctx.settings ? { settings: { ...ctx.settings, seed: img.seed, batch: 1 } } : {}) },
    });
    lastId = layer.id;
    commands.push({ type: 'addLayer', layer, index: doc.layers.length + i });
  });
  const entryId = images[0]?.historyEntryId;
  if (entryId) commands.push({ type: 'addHistoryEntry', entryId });
  return { commands, lastId };
}

/** Adds the images as layers in one undo step and selects the last one. */
export function landImages(ctx: JobResultContext, images: GeneratedImageRef[], label: string): void {
  const s = useStore.getState();
  const { commands, lastId } = resultCommands(ctx, images);
  s.perform({ type: 'batch', label, commands }, label);
  s.selectLayer(lastId);
}

/**
 * A finished job's images: one lands as a layer at once; a batch opens the chooser (a new batch replaces
 * one still open; its images stay in History).
 */
export function landJobResult(ctx: JobResultContext, images: GeneratedImageRef[]): void {
  if (images.length <= 1) return landImages(ctx, images, 'Generate');
  useStore.getState().setStaging({ ...ctx, images, picked: [], shown: 0 });
}

/** Keeps the picked variations (or `only`) as layers, one undo step; the chooser closes. */
export function keepStaged(only?: number[]): void {
  const s = useStore.getState();
  const st = s.staging;
  if (!st) return;
  const indices = only ?? st.picked;
  s.setStaging(null);
  if (st.documentId !== s.undoHistory.doc.id || indices.length === 0) return;
  const { images, picked: _p, shown: _s, ...ctx } = st;
  landImages(ctx, indices.map((i) => images[i]!).filter(Boolean), indices.length === 1 ? 'Keep variation' : `Keep ${indices.length} variations`);
}

/** Closes the chooser keeping nothing: the images stay in History. */
export function discardStaged(): void {
  useStore.getState().setStaging(null);
}
