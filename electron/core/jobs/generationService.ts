import { randomBytes } from 'node:crypto';
import type { GenerationSettings } from '../../contract/generation.js';
import type { ControlRef } from '../../contract/control.js';
import type { ControlRequest, GenerateRequest, GenerateResult, PhaseTimings, StepProgress } from '../engine/types.js';
import type { GenerationMetadata } from '../export/generationMetadata.js';
import { encodePng } from '../export/pngMetadata.js';
import type { GrayImage, RgbaImage } from '../image/types.js';
import type { HistoryStore } from '../store/historyStore.js';
import { modelFingerprint } from '../store/modelFingerprint.js';
import type { GenerationRecord, HistoryOrigin } from '../store/types.js';
import { LoraLibraryError, type LoraLibrary } from '../models/loraLibrary.js';
import { JobError } from './engineHost.js';
import { encodeMaskPng, readMask, readRgba } from '../image/io.js';

/**
 * The one generation service: decode inputs → begin the history entry → run on the engine queue →
 * store the images → complete (or fail / cancel) the entry. The app's backend, `serve` and every CLI
 * command go through it, so every path records the same fields and runs on an engine built from the
 * user's settings.json (safety checker, prompt filter) — see CONTEXT.md.
 */

/** The engine's job queue as the service needs it; `EngineHost` is the one implementation. */
export interface EngineQueue {
  generate(jobId: string, modelDir: string, request: GenerateRequest, onProgress?: (p: StepProgress) => void): Promise<GenerateResult>;
  cancel(jobId: string): boolean;
}

/** An input image: already in the image store (app, re-runs), or pixels the caller decoded (CLI files). */
export type ImageInput<T> = { imageId: string } | { pixels: T };

export interface GenerationJob {
  settings: GenerationSettings;
  /** The model as the job starts: the name recorded everywhere, and its folder. */
  model: { name: string; dir: string };
  initImage?: ImageInput<RgbaImage>;
  mask?: ImageInput<GrayImage>;
  documentId?: string;
  /** The entry this one re-runs or branches from. */
  parentId?: string;
  /** Step previews every k steps (0: none). */
  previewEvery?: number;
  /** false: a draft (Live mode) — no entry, nothing in the image store; `keep()` records it later. */
  record?: boolean;
  /** Overrides the service's origin for this entry (live mode's finished jobs: 'live'). */
  origin?: HistoryOrigin;
  /** LoRA files given outside the library (the CLI's --lora), added to settings.loras and the prompt's tags. */
  loraFiles?: ReadonlyArray<{ file: string; strength: number }>;
  /**
   * Per settings.controls entry (same order), what the service cannot look up by id: the ControlNet folder
   * (the CLI's --controlnet DIR; else the service's `controlNets` resolves `model`) and the map's pixels
   * (the CLI's decoded file; else `imageId` is read from the store). Pixels are stored like an init image
   * and their id recorded in the settings, so a re-run finds them.
   */
  controlInputs?: ReadonlyArray<{ dir?: string; image?: ImageInput<RgbaImage> }>;
}

export interface GeneratedOutput {
  /** In the image store; absent when the service keeps no history (CLI --no-history). */
  imageId?: string;
  seed: number;
  width: number;
  height: number;
  flagged?: boolean;
  image: RgbaImage;
  /** PNG with the generation metadata, byte for byte what the store holds. */
  png: Buffer;
}

export interface GenerationOutcome {
  jobId: string;
  /** The completed entry (absent without history). */
  entry?: GenerationRecord;
  images: GeneratedOutput[];
  /** Name, folder and files' fingerprint of the model as they were when the job started. */
  model: { name: string; dir: string; hash?: string };
  provider: string;
  timings: PhaseTimings;
  /** One sentence each about a job that still ran (a size far from the model's). */
  warnings?: string[];
  /** The settings the job ran with and recorded (LoRAs resolved, each with its SHA-256). */
  settings: GenerationSettings;
}

/** A finished draft to record as it is (Live mode's Apply). */
export interface KeptResult {
  settings: GenerationSettings;
  model: { name: string; hash?: string };
  png: Buffer;
  seed: number;
  provider: string;
  timings: PhaseTimings;
  documentId?: string;
  initImageId?: string;
  maskImageId?: string;
  origin?: HistoryOrigin;
}

export interface StartedGeneration {
  jobId: string;
  /** The history entry, already written as running (absent without history). */
  entryId?: string;
  /** Settles exactly once: the outcome, or the JobError/EngineError the job failed with. */
  done: Promise<GenerationOutcome>;
}

/** Step progress with the job it belongs to (the id exists before the first step arrives). */
export type Progress = (p: StepProgress, jobId: string) => void;

export interface GenerationServiceOptions {
  engine: EngineQueue;
  /** Preview decoders installed now (long-lived hosts: one pulled while the app runs is used at once). */
  previewDecoders?: () => { sd?: string; sdxl?: string };
  /** The prompt history (and its image store); omit to keep nothing (CLI --no-history). */
  history?: HistoryStore;
  origin: HistoryOrigin;
  /** `<data>/loras`: resolves settings.loras and `<lora:…>` prompt tags to files; absent: LoRAs refused. */
  loras?: LoraLibrary;
  /** Installed ControlNet folder by id (settings.controls[].model); absent: only folders the job names. */
  controlNets?: (id: string) => string | undefined;
}

export class GenerationService {
  constructor(private readonly opts: GenerationServiceOptions) {}

  /**
   * Checks and decodes the inputs and writes the running entry before it resolves, so a bad request
   * fails here with one sentence and nothing queued; the job itself runs on the engine queue.
   */
  async start(job: GenerationJob, onProgress?: Progress): Promise<StartedGeneration> {
    const resolvedLoras = this.resolveLoras(job);
    const loras = resolvedLoras.loras;
    let settings = resolvedLoras.settings;
    const history = job.record === false ? undefined : this.opts.history;
    if (settings.mode !== 'txt2img' && !job.initImage) throw new JobError(`${settings.mode} needs an init image.`, 'invalid-input');
    if (settings.mode === 'inpaint' && !job.mask) throw new JobError('Inpainting needs a mask: paint one with the Brush.', 'invalid-input');
    const previewEvery = job.previewEvery ?? 0;
    const request: GenerateRequest = {
      settings, previewEvery, ...(loras.length > 0 ? { loras } : {}),
      ...(previewEvery > 0 && this.opts.previewDecoders ? { previewDecoders: this.opts.previewDecoders() } : {}),
    };
    let initImageId: string | undefined;
    let maskImageId: string | undefined;
    if (settings.mode !== 'txt2img' && job.initImage) {
      ({ pixels: request.initImage, imageId: initImageId } = await this.input(job.initImage, (png) => readRgba(png, 'the init image'), encodePng, job.record !== false));
      checkSize(request.initImage, settings, 'init image');
    }
    if (settings.mode === 'inpaint' && job.mask) {
      ({ pixels: request.mask, imageId: maskImageId } = await this.input(job.mask, (png) => readMask(png, 'the mask'), encodeMaskPng, job.record !== false));
      checkSize(request.mask, settings, 'mask');
    }
    if (settings.controls?.length) {
      const resolved = await this.resolveControls(settings.controls, job);
      request.controls = resolved.requests;
      request.settings = settings = { ...settings, controls: resolved.refs };
    }
    // The model as the job starts: a later switch, import or re-export does not rewrite this record.
    const hash = await modelFingerprint(job.model.dir).catch(() => undefined);
    const model = { ...job.model, hash };
    const entry = history?.createEntry({
      settings, model: { name: model.name, hash }, status: 'running', origin: job.origin ?? this.opts.origin,
      documentId: job.documentId, parentId: job.parentId, initImageId, maskImageId,
    });
    const jobId = `job-${randomBytes(8).toString('hex')}`;
    const done = this.execute(jobId, entry, model, request, onProgress, history);
    // The caller may attach its handlers later; an unobserved failure must not crash the host meanwhile.
    done.catch(() => undefined);
    return { jobId, entryId: entry?.id, done };
  }

  /** The picker's LoRAs, the prompt's tags and the CLI's files, pinned by SHA-256 into the recorded settings. */
  private resolveLoras(job: GenerationJob): ReturnType<LoraLibrary['resolve']> {
    const asked = (job.settings.loras?.length ?? 0) > 0 || (job.loraFiles?.length ?? 0) > 0 || /<lora:/i.test(job.settings.prompt);
    if (!asked) return { settings: job.settings, loras: [] };
    if (!this.opts.loras) throw new JobError('LoRAs are not available in this host.', 'invalid-input');
    try {
      return this.opts.loras.resolve(job.settings, job.loraFiles);
    } catch (error) {
      if (error instanceof LoraLibraryError) throw new JobError(error.message, 'invalid-input');
      throw error;
    }
  }

  /** ControlNet folders and maps for settings.controls; the refs come back with the stored maps' ids. */
  private async resolveControls(refs: readonly ControlRef[], job: GenerationJob): Promise<{ requests: ControlRequest[]; refs: ControlRef[] }> {
    const requests: ControlRequest[] = [];
    const out: ControlRef[] = [];
    for (const [i, ref] of refs.entries()) {
      const given = job.controlInputs?.[i];
      const dir = given?.dir ?? this.opts.controlNets?.(ref.model);
      if (!dir) throw new JobError(`ControlNet "${ref.model}" is not installed: add its folder to the models folder, or pick another.`, 'invalid-input');
      const { pixels, imageId } = await this.input(given?.image ?? { imageId: ref.imageId }, (png) => readRgba(png, 'the control image'), encodePng, job.record !== false);
      checkSize(pixels, job.settings, refs.length > 1 ? `control image ${i + 1}` : 'control image');
      requests.push({ dir, image: pixels, scale: ref.scale, start: ref.start, end: ref.end });
      out.push({ ...ref, imageId: imageId ?? ref.imageId });
    }
    return { requests, refs: out };
  }

  /** start() and wait: for hosts with nothing else to do meanwhile (the CLI). */
  async run(job: GenerationJob, onProgress?: Progress): Promise<GenerationOutcome> {
    return (await this.start(job, onProgress)).done;
  }

  /** True when the job was queued or running; it then ends with a 'cancelled' error. */
  cancel(jobId: string): boolean {
    return this.opts.engine.cancel(jobId);
  }

  /** Records a finished result as a done entry (Live mode's Apply keeps a draft this way). */
  async keep(r: KeptResult): Promise<{ entry: GenerationRecord; imageId: string }> {
    const { history } = this.opts;
    if (!history) throw new JobError('The history is not available in this host.', 'unavailable');
    const imageId = await history.images.put(r.png);
    const begun = history.createEntry({
      settings: r.settings, model: r.model, status: 'running', origin: r.origin ?? this.opts.origin,
      documentId: r.documentId, initImageId: r.initImageId, maskImageId: r.maskImageId,
    });
    const entry = history.completeEntry(begun.id, { images: [{ imageId, seed: r.seed }], provider: r.provider, timings: r.timings });
    return { entry, imageId };
  }

  /** Pixels the caller decoded go to the engine as they are (stored once, for re-runs); an id is read from the store. */
  private async input<T>(given: ImageInput<T>, decode: (png: Uint8Array) => Promise<T>, encode: (p: T) => Promise<Uint8Array>, keep: boolean): Promise<{ pixels: T; imageId?: string }> {
    const images = this.opts.history?.images;
    if ('pixels' in given) {
      // Keep the inputs so a re-run can replay img2img and inpaint exactly.
      return { pixels: given.pixels, imageId: images && keep ? await images.put(await encode(given.pixels)) : undefined };
    }
    if (!images) throw new JobError('An image id needs the history store.', 'invalid-input');
    return { pixels: await decode(await images.read(given.imageId)), imageId: given.imageId };
  }

  private async execute(
    jobId: string, entry: GenerationRecord | undefined, model: GenerationOutcome['model'], request: GenerateRequest, onProgress: Progress | undefined,
    history: HistoryStore | undefined,
  ): Promise<GenerationOutcome> {
    let result: GenerateResult;
    try {
      result = await this.opts.engine.generate(jobId, model.dir, request, onProgress && ((p) => onProgress(p, jobId)));
    } catch (error) {
      if (entry) {
        const code = (error as { code?: unknown }).code;
        if (code === 'cancelled') history!.cancelEntry(entry.id);
        else history!.failEntry(entry.id, error instanceof Error ? error.message : String(error));
      }
      throw error;
    }
    try {
      const createdAt = new Date(entry?.createdAt ?? Date.now()).toISOString();
      const images: GeneratedOutput[] = [];
      for (const { image, seed, flagged } of result.images) {
        const meta: GenerationMetadata = { settings: entry?.settings ?? request.settings, model: model.name, seed, createdAt, app: 'atelier', provider: result.provider };
        if (model.hash) meta.modelHash = model.hash;
        const png = await encodePng(image, meta);
        const imageId = history ? await history.images.put(png) : undefined;
        images.push({ imageId, seed, width: image.width, height: image.height, image, png, ...(flagged ? { flagged } : {}) });
      }
      const done = entry
        ? history!.completeEntry(entry.id, {
          images: images.map(({ imageId, seed }) => ({ imageId: imageId!, seed })), provider: result.provider, timings: result.timings,
        })
        : undefined;
      return {
        jobId, entry: done, images, model, provider: result.provider, timings: result.timings, settings: request.settings,
        ...(result.warnings?.length ? { warnings: result.warnings } : {}),
      };
    } catch (error) {
      // The pixels exist but could not be kept (disk full): say so on the entry rather than leave it running.
      if (entry) history!.failEntry(entry.id, `could not store the result: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }
}

function checkSize(img: { width: number; height: number }, s: { width: number; height: number }, what: string): void {
  if (img.width !== s.width || img.height !== s.height) {
    throw new JobError(`The ${what} is ${img.width}×${img.height} but the frame is ${s.width}×${s.height}.`, 'invalid-input');
  }
}
