import type { ApiEvents } from '../../../electron/contract/api.js';
import { type GenerationMode, type GenerationSettings, type Region } from '../../../electron/contract/generation.js';
import { applyStyle, findStyle } from '../../../electron/contract/styles.js';
import { regionsForFrame } from '../document/regions.js';
import type { Rect } from '../document/geometry.js';
import type { GenerationPlan } from '../document/generationPlan.js';
import type { Store } from '../state/store.js';
import { api, errorMessage } from '../api/api.js';
import { paintSurface } from '../state/paintSurfaceRegistry.js';
import { planGeneration } from '../document/generationPlan.js';
import { landJobResult } from '../batch/resultLayers.js';
import { useStore } from '../state/store.js';
import { alphaOf, canvasPng, compositeFrame, maskPng } from './compositeFrame.js';
import { controlSettings } from '../control/controlMaps.js';

/** What Generate (and a Live draft, with its own overrides) asks the engine for: the panel's settings, decided for this frame and run. */
export function generationSettings(s: Store, mode: GenerationMode, frame: Rect, seed: number, over: Partial<GenerationSettings> = {}): GenerationSettings {
  const { loras, ...panel } = s.settings;
  const strength = over.strength ?? panel.strength;
  return {
    mode,
    ...panel,
    width: frame.width,
    height: frame.height,
    seed,
    ...(loras.length > 0 ? { loras: loras.map(({ name, strength }) => ({ name, strength })) } : {}),
    ...regionsSetting(regionsForFrame(s.undoHistory.doc.regions ?? [], frame)),
    ...styleSetting(s),
    ...over,
    // Inpaint repaints from noise, except with a pre-fill, which exists to be partly kept.
    strength: mode === 'img2img' || (mode === 'inpaint' && panel.prefill !== 'none') ? strength : 1,
  };
}

/** Only set when there are regions, so plain generations keep the settings they always had. */
function regionsSetting(regions: Region[]): Pick<GenerationSettings, 'regions'> {
  return regions.length > 0 ? { regions } : {};
}

/** The picked style preset: prompts expanded (what the engine and History see), its settings, its name. */
function styleSetting(s: Store): Partial<GenerationSettings> {
  const preset = s.style ? findStyle(s.style, s.styles) : undefined;
  if (!preset) return {};
  const { prompt, negativePrompt, scheduler, steps, guidance } = s.settings;
  return applyStyle({ prompt, negativePrompt, scheduler, steps, guidance }, preset);
}

/** Uploads the init image (and mask) a plan needs; pixels travel by `images:put`, never inline. */
export async function uploadInputs(plan: GenerationPlan, composite: HTMLCanvasElement, frame: Rect): Promise<{ initImageId?: string; maskImageId?: string }> {
  let initImageId: string | undefined;
  let maskImageId: string | undefined;
  // Empty pixels stay transparent: the engine fills them from their surroundings (never grey) and repaints them.
  if (plan.mode !== 'txt2img') initImageId = (await api.putImage(await canvasPng(composite))).imageId;
  if (plan.mode === 'inpaint' && plan.mask) maskImageId = (await api.putImage(await maskPng(plan.mask, frame.width, frame.height))).imageId;
  return { initImageId, maskImageId };
}

/** Live mode's Finish: the draft's seed, strength and input at full quality (optionally another model). */
export interface GenerateOptions {
  seed?: number;
  /** Settings that differ from the panel's (strength; a finishing model's steps, guidance, scheduler). */
  over?: Partial<GenerationSettings>;
  modelId?: string;
  /** How the frame becomes the job's input (Live's rule instead of Generate's): the plan and the pixels to upload. */
  inputs?: (painted: Uint8Array, composite: HTMLCanvasElement) => { plan: GenerationPlan; upload: HTMLCanvasElement };
  live?: 'finish';
}

/**
 * Generate: decide the mode from the frame (mask painted? canvas empty?), upload the init image and mask,
 * start the job. The result arrives as an event and lands as new layer(s) at the frame in one undo step.
 */
export async function generate(opts: GenerateOptions = {}): Promise<void> {
  const s = useStore.getState();
  if (s.job) return;
  const modelId = opts.modelId ?? s.modelId;
  if (!modelId) {
    s.setGenerate({ error: 'No model is available. Start serve with --models DIR or put a model in the data folder.' });
    return;
  }
  const doc = s.undoHistory.doc;
  const frame = doc.generationFrame;
  const seed = opts.seed ?? (s.seedLocked ? s.settings.seed : Math.floor(Math.random() * 0xffffffff));
  if (opts.seed === undefined) s.setSettings({ seed });
  s.setGenerate({ error: null, notice: null });
  s.setJob({ jobId: null, documentId: doc.id, mode: 'txt2img', frame, prompt: s.settings.prompt, done: 0, total: s.settings.steps, cancelling: false });
  try {
    const composite = await compositeFrame(doc, frame);
    const painted = paintSurface().read(frame);
    const { plan, upload } = opts.inputs?.(painted, composite) ?? { plan: planGeneration(painted, alphaOf(composite), s.useCanvasAsInit), upload: composite };
    const { initImageId, maskImageId } = await uploadInputs(plan, upload, frame);
    const settings = { ...generationSettings(s, plan.mode, frame, seed, opts.over), ...(await controlSettings(doc, s.controls, frame)) };
    useStore.getState().updateJob({ mode: plan.mode, maskImageId, settings, modelId });
    const { jobId } = await api.startGeneration({ modelId, settings, initImageId, maskImageId, documentId: doc.id, ...(opts.live ? { live: opts.live } : {}) });
    const job = useStore.getState().job;
    // Cancel pressed while uploading: cancel the job as soon as it has an id.
    if (job?.cancelling) void api.cancelGeneration(jobId);
    useStore.getState().updateJob({ jobId });
  } catch (e) {
    useStore.getState().setJob(null);
    useStore.getState().setGenerate({ error: errorMessage(e) });
  }
}

export async function cancelGeneration(): Promise<void> {
  const job = useStore.getState().job;
  if (!job) return;
  useStore.getState().updateJob({ cancelling: true });
  if (job.jobId) await api.cancelGeneration(job.jobId).catch(() => undefined);
}

function onDone(e: ApiEvents['generation:done']): void {
  const s = useStore.getState();
  const job = s.job;
  if (!job || job.jobId !== e.jobId) return;
  performance.mark('job-done');
  const doc = s.undoHistory.doc;
  if (doc.id !== job.documentId) {
    // The user opened or started another document meanwhile: keep that one untouched.
    s.setJob(null);
    s.setGenerate({ notice: 'The generation finished for a document that is no longer open; it is in its History.' });
    return;
  }
  // One image lands as a layer; a batch opens the chooser (renderer/src/batch).
  landJobResult({ documentId: job.documentId, frame: job.frame, mode: job.mode, prompt: job.prompt, model: e.model, settings: job.settings, maskImageId: job.maskImageId }, e.images);
  // Show what the inpaint made: the mask overlay hides (kept, and back with Show mask or a mask tool).
  if (job.mode === 'inpaint') s.setMaskHidden(true);
  s.setJob(null);
  s.setGenerate({ notice: [`Generated in ${(e.totalMs / 1000).toFixed(1)} s on ${e.provider}.`, ...(e.warnings ?? [])].join(' ') });
  void s.refreshHistory();
}

function onFailed(e: ApiEvents['generation:failed']): void {
  const s = useStore.getState();
  if (!s.job || s.job.jobId !== e.jobId) return;
  s.setJob(null);
  s.setGenerate(e.code === 'cancelled' ? { notice: 'Generation cancelled.' } : { error: e.message });
}

/** Subscribes to job events for the app's lifetime; returns the unsubscribe for cleanup. */
export function installJobListeners(): () => void {
  const offs = [
    api.onGenerationProgress((e) => {
      const job = useStore.getState().job;
      if (job?.jobId !== e.jobId) return;
      // A preview encoded late can arrive after a newer step: the counter never goes backwards.
      if (job.stepped && e.done < job.done) return;
      useStore.getState().updateJob({ done: e.done, total: e.total, stepped: true, ...(e.previewUrl ? { previewUrl: e.previewUrl } : {}) });
    }),
    api.onGenerationDone(onDone),
    api.onGenerationFailed(onFailed),
  ];
  return () => offs.forEach((off) => off());
}
