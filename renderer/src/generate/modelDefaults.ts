import { SCHEDULER_NAMES, type SchedulerName } from '../../../electron/contract/generation.js';
import { snapFrame } from '../document/geometry.js';
import { useStore } from '../state/store.js';

/**
 * Applies what a model was made for when the user picks it (or it is the default): steps, guidance,
 * scheduler, and the frame size — a 128 px demo model asked for 512 px draws a tiled mess. The frame
 * change is an ordinary, undoable edit.
 */
export function applyModelDefaults(modelId: string, opts: { frame?: boolean } = {}): void {
  const s = useStore.getState();
  const r = s.models.find((m) => m.id === modelId)?.recommended;
  if (!r) return;
  const patch: { steps?: number; guidance?: number; scheduler?: SchedulerName } = {};
  if (r.steps !== undefined) patch.steps = r.steps;
  if (r.guidance !== undefined) patch.guidance = r.guidance;
  if (r.scheduler && (SCHEDULER_NAMES as readonly string[]).includes(r.scheduler)) patch.scheduler = r.scheduler as SchedulerName;
  s.setGenerate(patch);
  if ((opts.frame ?? true) && r.width && r.height) {
    const frame = s.history.doc.generationFrame;
    const next = snapFrame({ ...frame, width: r.width, height: r.height });
    if (next.width !== frame.width || next.height !== frame.height) s.perform({ type: 'setFrame', frame: next }, 'Frame to the model size');
  }
}
