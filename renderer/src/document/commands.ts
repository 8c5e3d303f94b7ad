import type { AtelierDocument, DocumentRegion, GenerationFrame, Layer, RasterLayer } from '../../../electron/contract/document.js';
import { resizeMask, type MaskPatch, type MaskSurface } from './maskSurface.js';

/**
 * Document edits as data. Each applies to a document (and, for mask patches, the mask surface) and
 * yields its inverse, so the undo history is a list of command pairs. No React, Konva or zustand here.
 */
/**
 * `imageId`: the layer's pixels replaced (a Paint stroke); the inverse puts the old picture back. A patch
 * that replaces a generated layer's pixels without giving a new `source` marks its source `edited`
 * (`pixelEdit`), so exports stop claiming its settings reproduce it; undo restores the old source too.
 */
export type LayerPatch = Partial<Pick<RasterLayer, 'name' | 'x' | 'y' | 'width' | 'height' | 'opacity' | 'visible' | 'blendMode' | 'imageId' | 'mask' | 'source'>>;

export type DocCommand =
  | { type: 'addLayer'; layer: Layer; index: number }
  | { type: 'removeLayer'; id: string }
  | { type: 'updateLayer'; id: string; patch: LayerPatch }
  | { type: 'moveLayerInStack'; id: string; toIndex: number }
  | { type: 'setFrame'; frame: GenerationFrame }
  /**
   * The document's own size (layers outside it stay; exports crop to it). The painted mask takes the new
   * size; `dx`/`dy`: the content moved right/down by that much (growth past the left/top edge), and the
   * mask moves with it. `maskPixels`: the whole mask after the resize, exactly (an undo's, when the resize
   * back dropped painted pixels).
   */
  | { type: 'resizeDocument'; width: number; height: number; dx?: number; dy?: number; maskPixels?: Uint8Array }
  /** Regional prompts replaced as a whole (add, edit, move, delete are all this, each one undo step). */
  | { type: 'setRegions'; regions: DocumentRegion[] }
  | { type: 'addHistoryEntry'; entryId: string }
  | { type: 'removeHistoryEntry'; entryId: string }
  | { type: 'maskPatch'; patch: MaskPatch }
  | { type: 'batch'; label: string; commands: DocCommand[] };

export class CommandError extends Error {}

export interface Applied {
  doc: AtelierDocument;
  inverse: DocCommand;
}

export function applyCommand(doc: AtelierDocument, cmd: DocCommand, mask?: MaskSurface): Applied {
  switch (cmd.type) {
    case 'addLayer': {
      if (doc.layers.some((l) => l.id === cmd.layer.id)) throw new CommandError(`layer ${cmd.layer.id} exists`);
      const index = Math.max(0, Math.min(cmd.index, doc.layers.length));
      const layers = [...doc.layers.slice(0, index), cmd.layer, ...doc.layers.slice(index)];
      return { doc: { ...doc, layers }, inverse: { type: 'removeLayer', id: cmd.layer.id } };
    }
    case 'removeLayer': {
      const index = indexOf(doc, cmd.id);
      const layer = doc.layers[index];
      return { doc: { ...doc, layers: doc.layers.filter((l) => l.id !== cmd.id) }, inverse: { type: 'addLayer', layer, index } };
    }
    case 'updateLayer': {
      const index = indexOf(doc, cmd.id);
      const patch = pixelEdit(doc.layers[index], cmd.patch);
      const layer = doc.layers[index] as Record<string, unknown>;
      const previous: Record<string, unknown> = {};
      for (const key of Object.keys(patch)) previous[key] = layer[key];
      const layers = doc.layers.map((l, i) => (i === index ? ({ ...l, ...patch } as Layer) : l));
      return { doc: { ...doc, layers }, inverse: { type: 'updateLayer', id: cmd.id, patch: previous as LayerPatch } };
    }
    case 'moveLayerInStack': {
      const from = indexOf(doc, cmd.id);
      const to = Math.max(0, Math.min(cmd.toIndex, doc.layers.length - 1));
      const layers = [...doc.layers];
      const [layer] = layers.splice(from, 1);
      layers.splice(to, 0, layer);
      return { doc: { ...doc, layers }, inverse: { type: 'moveLayerInStack', id: cmd.id, toIndex: from } };
    }
    case 'resizeDocument': {
      const dx = cmd.dx ?? 0;
      const dy = cmd.dy ?? 0;
      if (cmd.maskPixels && cmd.maskPixels.length !== cmd.width * cmd.height) throw new CommandError('mask pixels of another size');
      const dropped = mask ? resizeMask(mask, cmd.width, cmd.height, dx, dy, cmd.maskPixels) : null;
      const inverse: DocCommand = {
        type: 'resizeDocument', width: doc.width, height: doc.height,
        ...(dx || dy ? { dx: -dx, dy: -dy } : {}), ...(dropped ? { maskPixels: dropped } : {}),
      };
      return { doc: { ...doc, width: cmd.width, height: cmd.height }, inverse };
    }
    case 'setFrame':
      return { doc: { ...doc, generationFrame: { ...cmd.frame } }, inverse: { type: 'setFrame', frame: doc.generationFrame } };
    case 'setRegions':
      return { doc: { ...doc, regions: cmd.regions.map((r) => ({ ...r })) }, inverse: { type: 'setRegions', regions: doc.regions ?? [] } };
    case 'addHistoryEntry':
      return { doc: { ...doc, historyEntryIds: [...doc.historyEntryIds, cmd.entryId] }, inverse: { type: 'removeHistoryEntry', entryId: cmd.entryId } };
    case 'removeHistoryEntry': {
      const i = doc.historyEntryIds.lastIndexOf(cmd.entryId);
      const ids = i < 0 ? doc.historyEntryIds : [...doc.historyEntryIds.slice(0, i), ...doc.historyEntryIds.slice(i + 1)];
      return { doc: { ...doc, historyEntryIds: ids }, inverse: { type: 'addHistoryEntry', entryId: cmd.entryId } };
    }
    case 'maskPatch': {
      if (!mask) throw new CommandError('mask patch without a mask surface');
      mask.write(cmd.patch.rect, cmd.patch.after);
      const { rect, before, after } = cmd.patch;
      return { doc, inverse: { type: 'maskPatch', patch: { rect, before: after, after: before } } };
    }
    case 'batch': {
      let current = doc;
      const inverses: DocCommand[] = [];
      try {
        for (const c of cmd.commands) {
          const r = applyCommand(current, c, mask);
          current = r.doc;
          inverses.unshift(r.inverse);
        }
      } catch (e) {
        // All or nothing: the document is immutable, but the mask surface was written in place, so the
        // steps already done are undone on it before the error goes up.
        for (const inv of inverses) current = applyCommand(current, inv, mask).doc;
        throw e;
      }
      return { doc: current, inverse: { type: 'batch', label: cmd.label, commands: inverses } };
    }
  }
}

/**
 * A generated layer whose pixels change (new `imageId`, no new `source`) is no longer what its settings
 * make: its source is kept as history and marked `edited`, whoever changed the pixels.
 */
function pixelEdit(layer: Layer, patch: LayerPatch): LayerPatch {
  if (layer.kind !== 'raster' || patch.imageId === undefined || patch.imageId === layer.imageId || 'source' in patch) return patch;
  if (!layer.source?.settings || layer.source.edited) return patch;
  return { ...patch, source: { ...layer.source, edited: true } };
}

function indexOf(doc: AtelierDocument, id: string): number {
  const i = doc.layers.findIndex((l) => l.id === id);
  if (i < 0) throw new CommandError(`no layer ${id}`);
  return i;
}
