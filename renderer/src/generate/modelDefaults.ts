import { SCHEDULER_NAMES, type SchedulerName } from '../../../electron/contract/generation.js';
import { snapFrame } from '../document/geometry.js';
import { useStore } from '../state/store.js';

/**
 * Applies what a model was made for when the user picks it (or it is the default): steps, guidance,
 * scheduler, and the frame size — a 128 px demo model asked for 512 px draws a tiled mess. A pick by
 * the user is an ordinary, undoable edit; at start-up ('startup') it only sizes the untouched first
 * document, with no undo step and without marking it dirty (start-up is not a user action).
 */
export function applyModelDefaults(modelId: string, opts: { frame?: boolean | 'startup' } = {}): void {
  const s = useStore.getState();
  const r = s.models.find((m) => m.id === modelId)?.recommended;
  if (!r) return;
  const patch: { steps?: number; guidance?: number; scheduler?: SchedulerName } = {};
  if (r.steps !== undefined) patch.steps = r.steps;
  if (r.guidance !== undefined) patch.guidance = r.guidance;
  if (r.scheduler && (SCHEDULER_NAMES as readonly string[]).includes(r.scheduler)) patch.scheduler = r.scheduler as SchedulerName;
  s.setSettings(patch);
  if ((opts.frame ?? true) && r.width && r.height) {
    const frame = s.undoHistory.doc.generationFrame;
    const next = snapFrame({ ...frame, width: r.width, height: r.height });
    if (next.width === frame.width && next.height === frame.height) return;
    if (opts.frame !== 'startup') return s.perform({ type: 'setFrame', frame: next }, 'Frame to the model size');
    const untouched = s.undoHistory.past.length === 0 && s.undoHistory.future.length === 0 && s.version === s.savedVersion && s.undoHistory.doc.layers.length === 0;
    if (untouched) useStore.setState((st) => ({ undoHistory: { ...st.undoHistory, doc: { ...st.undoHistory.doc, generationFrame: next } } }));
  }
}
