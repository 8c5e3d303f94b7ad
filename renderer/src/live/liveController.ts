import type { ApiEvents } from '../../../electron/contract/api.js';
import type { GenerationSettings } from '../../../electron/contract/generation.js';
import { api, errorMessage } from '../api/api.js';
import { alphaOf, compositeFrame, flattenOnGray } from '../generate/compositeFrame.js';
import { generationSettings, uploadInputs } from '../generate/generateFlow.js';
import { planGeneration, type GenerationPlan } from '../document/generationPlan.js';
import type { Rect } from '../document/geometry.js';
import { paintSurface } from '../state/paintSurfaceRegistry.js';
import { canvasStrokes } from '../canvas/colourStrokes.js';
import { useStore, type Store } from '../state/store.js';
import { clampLive, liveDefaults } from './liveDefaults.js';
import { LiveScheduler } from './liveScheduler.js';

/**
 * Live mode: watches what a draft reads (the layers, mask and frame of the document, the prompt, the live
 * settings and the model), hashes the composited frame, and lets the LiveScheduler decide when a draft
 * runs. Drafts go through the ordinary API (`images:put`, `generation:start` with `live: 'draft'`), so the
 * browser build and Electron behave alike. Marks for the bench: `live-input` (a new input was seen),
 * `live-job-start` / `live-job-end`, `live-shown` (a draft is on screen; detail: when its input was seen).
 */

interface LiveInput {
  documentId: string;
  frame: Rect;
  modelId: string;
  plan: GenerationPlan;
  composite: HTMLCanvasElement;
  settings: GenerationSettings;
  seenAt: number;
}

interface RunningDraft {
  input: LiveInput;
  jobId: string | null;
  cancel: boolean;
}

/** One for the app's lifetime, so a draft still stopping when Live is switched on again counts as in flight. */
let scheduler: LiveScheduler<LiveInput> | null = null;
let active = false;
let running: RunningDraft | null = null;
let unsubscribe: (() => void) | null = null;
let checking = false;
let recheck = false;
let shownSeq = 0;
let startedSeq = 0;

/** What a draft depends on, compared by identity: any change means "look again". */
function watched(s: Store): unknown[] {
  // `undoHistory` changes with every edit (layers, frame, mask strokes, a new document), never with selection or view;
  // the settings as Generate would build them cover the prompt and whatever else a job reads (regions, styles…).
  const settings = JSON.stringify(generationSettings(s, 'img2img', s.undoHistory.doc.generationFrame, 0));
  return [s.undoHistory, settings, s.modelId, s.live, s.job === null];
}

export function startLive(): void {
  const s = useStore.getState();
  if (s.liveOn) return;
  const model = s.models.find((m) => m.id === s.modelId);
  s.setLive({ liveOn: true, liveVisible: true, liveError: null, live: s.live ?? liveDefaults(model, s.settings.seed) });
  scheduler ??= new LiveScheduler<LiveInput>({ start: (input) => void runDraft(input), cancel: cancelDraft });
  scheduler.resume();
  active = true;
  let last = watched(useStore.getState());
  const offStore = useStore.subscribe((next) => {
    const now = watched(next);
    if (now.some((v, i) => v !== last[i])) {
      last = now;
      requestCheck();
    }
  });
  // A released Paint stroke counts at once; storing it in its layer takes a PNG round trip.
  const offStrokes = canvasStrokes.onStrokeEnd(requestCheck);
  unsubscribe = () => {
    offStore();
    offStrokes();
  };
  requestCheck();
}

export function stopLive(): void {
  unsubscribe?.();
  unsubscribe = null;
  scheduler?.stop();
  active = false;
  useStore.getState().setLive({ liveOn: false, liveResult: null, liveBusy: running !== null });
}

/** A new model: its own fast settings (the user's seed kept). */
export function resetLiveSettings(): void {
  const s = useStore.getState();
  const model = s.models.find((m) => m.id === s.modelId);
  s.setLive({ live: liveDefaults(model, s.live?.seed ?? s.settings.seed) });
}

/** Coalesces bursts of store changes into one composite + hash at a time. */
function requestCheck(): void {
  if (checking) {
    recheck = true;
    return;
  }
  checking = true;
  void checkInput().finally(() => {
    checking = false;
    if (recheck && active) {
      recheck = false;
      requestCheck();
    }
  });
}

async function checkInput(): Promise<void> {
  const s = useStore.getState();
  if (!active || !s.live || !s.modelId) return;
  // A normal job (Generate, Finish) has the engine: live waits for it and looks again when it ends.
  if (s.job) return;
  const doc = s.undoHistory.doc;
  const frame = doc.generationFrame;
  const live = clampLive(s.live);
  try {
    const composite = await compositeFrame(doc, frame);
    // Released strokes still on their way into a layer are part of the picture the user sees.
    const ctx = composite.getContext('2d')!;
    for (const st of canvasStrokes.finishedStrokes()) ctx.drawImage(st.canvas, -frame.x, -frame.y);
    const { plan, upload } = liveInputs(paintSurface().read(frame), composite);
    const settings = generationSettings(s, plan.mode, frame, live.seed, {
      steps: live.steps, guidance: live.guidance, scheduler: live.scheduler, strength: live.strength, batch: 1,
    });
    const key = inputKey(plan.mode === 'txt2img' ? null : upload, plan, settings, s.modelId, doc.id);
    performance.mark('live-input');
    scheduler?.offer(key, { documentId: doc.id, frame, modelId: s.modelId, plan, composite: upload, settings, seenAt: performance.now() });
  } catch (e) {
    useStore.getState().setLive({ liveError: errorMessage(e) });
  }
}

/**
 * What a draft (and its Finish) reads from the frame: img2img over the canvas with empty parts on gray (the
 * engine fills empty pixels only for inpaint), txt2img on an empty frame, inpaint only where the user painted a
 * mask — Generate's outpaint-the-empty-area rule would freeze every stroke in place.
 */
export function liveInputs(painted: Uint8Array, composite: HTMLCanvasElement): { plan: GenerationPlan; upload: HTMLCanvasElement } {
  const planned = planGeneration(painted, alphaOf(composite), true);
  if (planned.mode === 'inpaint' && !painted.some((v) => v !== 0)) return { plan: { mode: 'img2img' }, upload: flattenOnGray(composite) };
  return { plan: planned, upload: composite };
}

/** FNV-1a over the pixels the draft reads and everything else it asks for. */
export function inputKey(flat: HTMLCanvasElement | null, plan: GenerationPlan, settings: GenerationSettings, modelId: string, documentId: string): string {
  let h = 0x811c9dc5;
  const mix = (bytes: ArrayLike<number>) => {
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  };
  if (flat) mix(flat.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, flat.width, flat.height).data);
  if (plan.mask) mix(plan.mask);
  mix(new TextEncoder().encode(JSON.stringify([settings, modelId, documentId])));
  return h.toString(16);
}

async function runDraft(input: LiveInput): Promise<void> {
  const draft: RunningDraft = { input, jobId: null, cancel: false };
  running = draft;
  const seq = ++startedSeq;
  useStore.getState().setLive({ liveBusy: true });
  performance.mark('live-job-start');
  try {
    const { initImageId, maskImageId } = await uploadInputs(input.plan, input.composite, input.frame);
    if (draft.cancel) return endDraft(draft, 'cancelled');
    const { jobId } = await api.startGeneration({ modelId: input.modelId, settings: input.settings, initImageId, maskImageId, documentId: input.documentId, live: 'draft' });
    draft.jobId = jobId;
    jobSeq.set(jobId, seq);
    if (draft.cancel) void api.cancelGeneration(jobId).catch(() => undefined);
    // Its end may have arrived before the reply that named it.
    const early = earlyEnds.get(jobId);
    earlyEnds.clear();
    if (early) (early.event === 'done' ? onDone(early.e as ApiEvents['generation:done']) : onFailed(early.e as ApiEvents['generation:failed']));
  } catch (e) {
    useStore.getState().setLive({ liveError: errorMessage(e) });
    endDraft(draft, 'failed');
  }
}

const jobSeq = new Map<string, number>();
const earlyEnds = new Map<string, { event: 'done' | 'failed'; e: unknown }>();

/** An end event for a job whose id is not known yet (the start reply is still on its way). */
function early(jobId: string, event: 'done' | 'failed', e: unknown): boolean {
  if (!running || running.jobId !== null) return false;
  earlyEnds.set(jobId, { event, e });
  return true;
}

function cancelDraft(): void {
  if (!running) return;
  running.cancel = true;
  if (running.jobId) void api.cancelGeneration(running.jobId).catch(() => undefined);
}

function endDraft(draft: RunningDraft, outcome: 'ok' | 'failed' | 'cancelled'): void {
  if (running !== draft) return;
  running = null;
  performance.mark('live-job-end');
  useStore.getState().setLive({ liveBusy: false });
  scheduler?.finished(outcome);
}

function onDone(e: ApiEvents['generation:done']): void {
  if (e.draft && early(e.jobId, 'done', e)) return;
  const draft = running;
  if (!draft || draft.jobId !== e.jobId || !e.draft) return;
  const seq = jobSeq.get(e.jobId) ?? 0;
  jobSeq.delete(e.jobId);
  const { input } = draft;
  const d = e.draft;
  endDraft(draft, 'ok');
  const img = new Image();
  img.crossOrigin = 'anonymous';
  img.onload = () => {
    const s = useStore.getState();
    // An older draft that loads late never replaces a newer one; a switched-off live shows nothing.
    if (seq < shownSeq || !s.liveOn || s.undoHistory.doc.id !== input.documentId) return;
    shownSeq = seq;
    s.setLive({
      liveError: null,
      liveResult: { jobId: e.jobId, url: d.url, documentId: input.documentId, frame: input.frame, modelId: input.modelId, settings: { ...input.settings, seed: d.seed }, image: img },
    });
    performance.mark('live-shown', { detail: { seenAt: input.seenAt } });
  };
  img.src = d.url;
}

function onFailed(e: ApiEvents['generation:failed']): void {
  if (early(e.jobId, 'failed', e)) return;
  const draft = running;
  if (!draft || draft.jobId !== e.jobId) return;
  jobSeq.delete(e.jobId);
  if (e.code !== 'cancelled') useStore.getState().setLive({ liveError: e.message });
  endDraft(draft, e.code === 'cancelled' ? 'cancelled' : 'failed');
}

/** Job events for the app's lifetime (drafts only; Generate's own listeners ignore their ids). */
export function installLiveListeners(): () => void {
  const offs = [api.onGenerationDone(onDone), api.onGenerationFailed(onFailed)];
  return () => offs.forEach((off) => off());
}
