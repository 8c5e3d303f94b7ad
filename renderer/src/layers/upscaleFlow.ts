import type { ApiEvents, UpscaleStart } from '../../../electron/contract/api.js';
import { MAX_IMAGE_SIDE, type RasterLayer } from '../../../electron/contract/document.js';
import type { GenerationSettings } from '../../../electron/contract/generation.js';
import { api, errorMessage } from '../api/api.js';
import type { DocCommand } from '../document/commands.js';
import { rasterLayer } from '../document/newDocument.js';
import { regionsForFrame } from '../document/regions.js';
import { useStore } from '../state/store.js';

/**
 * Upscale… on a layer: the layer's pixels go to the engine queue (same progress bar and Cancel as a
 * generation); the result lands as a new layer above it, at the same top-left, in one undo step, and the
 * document grows to hold it.
 */
export interface UpscaleChoice {
  upscalerId: string;
  /** Output factor; undefined: the model's own. */
  scale?: number;
  /** 0: no refine. */
  refineStrength: number;
}

let pending: { jobId: string | null; layerId: string; name: string } | null = null;

/**
 * The settings a refine pass uses: the layer's own prompt and seed when it was generated, else the prompt
 * panel's; the document's regional prompts over the layer, relative to it (the engine scales them with it).
 */
function refineSettings(layer: RasterLayer, strength: number): GenerationSettings {
  const s = useStore.getState().settings;
  const src = layer.source?.settings;
  const regions = regionsForFrame(useStore.getState().undoHistory.doc.regions ?? [], { x: layer.x, y: layer.y, width: layer.width, height: layer.height });
  return {
    ...(regions.length > 0 ? { regions } : {}),
    mode: 'img2img',
    prompt: src?.prompt ?? s.prompt,
    negativePrompt: src?.negativePrompt ?? s.negativePrompt,
    // Per tile; the engine sets each tile's size.
    width: 512,
    height: 512,
    steps: s.steps,
    guidance: s.guidance,
    scheduler: s.scheduler,
    seed: src?.seed ?? s.seed,
    batch: 1,
    strength,
    maskFeather: 4,
  };
}

export async function upscaleLayer(layer: RasterLayer, choice: UpscaleChoice): Promise<void> {
  const s = useStore.getState();
  if (s.job) {
    s.setGenerate({ error: 'Wait for the running job to finish (or cancel it) before upscaling.' });
    return;
  }
  const doc = s.undoHistory.doc;
  const refine = choice.refineStrength > 0;
  if (refine && !s.modelId) {
    s.setGenerate({ error: 'Refining needs an SD model: pick one in the prompt panel, or set refine strength to 0.' });
    return;
  }
  s.setGenerate({ error: null, notice: null });
  s.setJob({
    jobId: null, documentId: doc.id, mode: 'img2img', frame: { x: layer.x, y: layer.y, width: layer.width, height: layer.height },
    prompt: layer.name, done: 0, total: 1, cancelling: false, label: 'upscale · tile',
  });
  pending = { jobId: null, layerId: layer.id, name: layer.name };
  try {
    const req: UpscaleStart = { imageId: layer.imageId, upscalerId: choice.upscalerId, ...(choice.scale ? { scale: choice.scale } : {}) };
    if (refine) req.refine = { modelId: s.modelId, settings: refineSettings(layer, choice.refineStrength) };
    const { jobId } = await api.startUpscale(req);
    pending = { ...pending, jobId };
    if (useStore.getState().job?.cancelling) void api.cancelGeneration(jobId);
    useStore.getState().updateJob({ jobId });
  } catch (e) {
    pending = null;
    useStore.getState().setJob(null);
    useStore.getState().setGenerate({ error: errorMessage(e) });
  }
}

function onDone(e: ApiEvents['upscale:done']): void {
  const s = useStore.getState();
  const job = s.job;
  if (!job || job.jobId !== e.jobId || !pending || pending.jobId !== e.jobId) return;
  const { layerId, name } = pending;
  pending = null;
  s.setJob(null);
  const doc = s.undoHistory.doc;
  const index = doc.layers.findIndex((l) => l.id === layerId);
  const source = doc.layers[index];
  if (doc.id !== job.documentId || !source || source.kind !== 'raster') {
    s.setGenerate({ notice: 'The upscale finished for a layer that is no longer there; nothing was added.' });
    return;
  }
  const factor = e.width / source.width;
  const layer = rasterLayer(`${name} ×${Number.isInteger(factor) ? factor : factor.toFixed(2)}`, e.imageId, { x: source.x, y: source.y, width: e.width, height: e.height });
  const commands: DocCommand[] = [{ type: 'addLayer', layer, index: index + 1 }];
  const width = Math.min(MAX_IMAGE_SIDE, Math.max(doc.width, layer.x + layer.width));
  const height = Math.min(MAX_IMAGE_SIDE, Math.max(doc.height, layer.y + layer.height));
  if (width !== doc.width || height !== doc.height) commands.push({ type: 'resizeDocument', width, height });
  s.perform({ type: 'batch', label: 'Upscale', commands }, 'Upscale');
  s.selectLayer(layer.id);
  s.setGenerate({ notice: `Upscaled to ${e.width}×${e.height} in ${(e.totalMs / 1000).toFixed(1)} s on ${e.provider}${e.refinedTiles ? `, refined in ${e.refinedTiles === 1 ? 'one tile' : `${e.refinedTiles} tiles`}` : ''}.` });
}

/** For the app's lifetime (failures and cancels come as generation:failed, which the generate flow shows). */
export function installUpscaleListeners(): () => void {
  return api.onUpscaleDone(onDone);
}
