import type { SchedulerName } from '../../../electron/contract/generation.js';
import { api, errorMessage } from '../api/api.js';
import { primeImage } from '../canvas/imageCache.js';
import { generate } from '../generate/generateFlow.js';
import { layerNameFromPrompt, rasterLayer } from '../document/newDocument.js';
import { useStore } from '../state/store.js';
import { clampLive } from './liveDefaults.js';
import { liveInputs } from './liveController.js';

/**
 * Apply: the draft on screen becomes a layer at its frame with its parameters, and a History entry
 * ("from live draft", origin 'live') — one undo step. The picture is already decoded: no reload.
 */
export async function applyLive(): Promise<void> {
  const s = useStore.getState();
  const r = s.liveResult;
  if (!r || s.undoHistory.doc.id !== r.documentId) return;
  try {
    const ref = await api.keepLiveDraft({ jobId: r.jobId, documentId: r.documentId });
    primeImage(ref.imageId, r.image);
    const now = useStore.getState();
    if (now.undoHistory.doc.id !== r.documentId) return;
    const layer = rasterLayer(`Live · ${layerNameFromPrompt(r.settings.prompt, 'draft')}`, ref.imageId, { x: r.frame.x, y: r.frame.y, width: ref.width, height: ref.height }, {
      source: { historyEntryId: ref.historyEntryId, model: r.modelId, settings: { ...r.settings, seed: ref.seed } },
    });
    now.perform({
      type: 'batch', label: 'Apply live result',
      commands: [{ type: 'addLayer', layer, index: now.undoHistory.doc.layers.length }, { type: 'addHistoryEntry', entryId: ref.historyEntryId }],
    }, 'Apply live result');
    now.selectLayer(layer.id);
    void now.refreshHistory();
  } catch (e) {
    useStore.getState().setLive({ liveError: errorMessage(e) });
  }
}

/**
 * Finish: the same frame, seed, prompt and strength over the same canvas, at full quality (the panel's
 * steps, guidance and scheduler — or, with another finishing model, that model's own) as a normal job with
 * progress and Cancel; recorded in History as made from a live draft.
 */
export function finishLive(finishModelId?: string): Promise<void> {
  const s = useStore.getState();
  if (!s.live) return Promise.resolve();
  const live = clampLive(s.live);
  const modelId = finishModelId || s.modelId;
  const r = modelId !== s.modelId ? s.models.find((m) => m.id === modelId)?.recommended : undefined;
  const over = {
    strength: live.strength,
    ...(r?.steps !== undefined ? { steps: r.steps } : {}),
    ...(r?.guidance !== undefined ? { guidance: r.guidance } : {}),
    ...(r?.scheduler ? { scheduler: r.scheduler as SchedulerName } : {}),
  };
  return generate({ seed: live.seed, modelId, inputs: liveInputs, live: 'finish', over });
}
