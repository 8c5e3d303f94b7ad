import { resolve } from 'node:path';
import type { ModelLayout } from '../models/modelFolder.js';
import { readControlNetFolder, readModelFolder } from './modelFolders.js';
import { modelParameterCounts, type PartParameters } from '../models/parameterCount.js';
import { loadModel, type LoadedModel } from './loadedModel.js';
import { LoraMerger, loraParts } from './lora/loraMerger.js';
import { PROVIDER_LABELS, type ProviderPreference } from './onnx/providers.js';
import type { SessionTuning } from './onnx/sessionTuning.js';
import { checkJobMemory, type JobMemoryCheck, type MemoryCheckJob } from './memoryCheck.js';
import { runPipeline, validateRequest } from './pipeline.js';
import { PreviewDecoder } from './preview.js';
import { blockedTerms } from './promptFilter.js';
import { blurFlagged, SafetyChecker } from './safety.js';
import { recommendedSide, sizeWarning } from './sizeGrid.js';
import { loadTokenizer } from './textEncoder.js';
import { promptTokenInfo, type PromptTokenInfo } from './prompt/promptTokens.js';
import type { ClipTokenizer } from './tokenizer/clipTokenizer.js';
import { EngineError, type GenerateOptions, type GenerateRequest, type GenerateResult, type PhaseTimings } from './types.js';
import { runUpscale, type UpscaleRequest, type UpscaleResult } from './upscale/upscaleJob.js';

export interface EngineOptions {
  provider?: ProviderPreference;
  /** Release the model's sessions after this long without a job (0 or absent: keep them). */
  idleReleaseMs?: number;
  /** TAESD decoders for live previews, by family (SD 1.x/2.x latents differ from SDXL's). */
  previewDecoders?: { sd?: string; sdxl?: string };
  /**
   * Run the safety checker a model folder ships and blur what it flags (default on). Off, it is never
   * loaded. Folders without one are unaffected.
   */
  safetyChecker?: boolean;
  /** Words and phrases a prompt may not contain (see promptFilter.ts); empty: no check. */
  promptFilter?: readonly string[];
  /** onnxruntime memory options (arena, patterns, pre-packing); defaults in sessionTuning.ts. */
  sessionTuning?: SessionTuning;
  /** Estimate each job's peak memory first and refuse what cannot fit (default on). */
  memoryCheck?: boolean;
  /**
   * When a job releases the text encoders (memory is short, or asked), a model loaded for it creates its UNet
   * session only after the prompt is encoded and the encoders are gone (default on; off only to measure
   * what that buys, `bench memory --ladder`). With enough memory every part is loaded at once and kept warm.
   */
  unetAfterEncoders?: boolean;
  /** How LoRAs are merged and cached (default: a LoraMerger with its own defaults). */
  loraMerger?: LoraMerger;
}

export interface ModelInfo {
  name: string;
  label: string;
  path: string;
  family: ModelLayout['family'];
  pipelineClass: string;
  weightBytes: number;
  /** Per ONNX part, from its initializers. */
  parameters: PartParameters[];
  vaeScalingFactor: number;
  unetInChannels: number;
  inpainting: 'unet-9-channel' | 'latent-blend';
  canImg2Img: boolean;
  provider: string;
  providerLabel: string;
  notices: string[];
  parts: Array<{ part: string; inputs: string[]; outputs: string[] }>;
  recommended?: ModelLayout['recommended'];
}

/**
 * The engine as plain Node: one model's sessions kept warm between jobs, replaced (never doubled)
 * when another model is asked for. Jobs run one at a time; hosts run this off their UI/HTTP thread,
 * because onnxruntime-node's `run()` blocks the calling thread.
 */
export class Engine {
  private current?: { dir: string; model: LoadedModel };
  private loading?: Promise<LoadedModel>;
  private busy = false;
  private readonly tokenizers = new Map<string, ClipTokenizer>();
  /** Parsed LoRA files and merged variants, kept across jobs and models. */
  readonly loraMerger: LoraMerger;

  private idleTimer?: NodeJS.Timeout;
  /**
   * Jobs, inspections and the idle release take turns: loading another model releases the current one,
   * so an inspect (a model import) must never run while a job still uses that model.
   */
  private turn: Promise<unknown> = Promise.resolve();

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn);
    this.turn = run.catch(() => undefined);
    return run;
  }
  /** Resident memory before any model: what a loaded model holds is measured against it. */
  private readonly baselineRss = process.memoryUsage().rss;

  constructor(private readonly options: EngineOptions = {}) {
    this.loraMerger = options.loraMerger ?? new LoraMerger();
  }

  /** Releases the sessions once nothing has run for `idleReleaseMs` (memory back to the user). */
  private scheduleIdleRelease(): void {
    const ms = this.options.idleReleaseMs ?? 0;
    if (ms <= 0) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (!this.busy && !this.loading) void this.inTurn(() => this.release());
    }, ms);
    this.idleTimer.unref();
  }

  /** Whether a model's sessions are in memory now. */
  get loadedModelDir(): string | undefined {
    return this.current?.dir;
  }

  /** `lean`: a model loaded now leaves its UNet for the job to create after encoding (loadedModel.ts `deferUnet`). */
  private async model(dir: string, lean = false): Promise<{ model: LoadedModel; loadMs: number }> {
    const key = resolve(dir);
    if (this.current?.dir === key) return { model: this.current.model, loadMs: 0 };
    if (this.loading) await this.loading.catch(() => undefined);
    if (this.current?.dir === key) return { model: this.current.model, loadMs: 0 };
    const t = performance.now();
    // Release the old model first: two UNets in memory at once is what runs machines out of it.
    if (this.current) {
      const old = this.current.model;
      this.current = undefined;
      await old.release();
    }
    this.loading = loadModel(key, this.options.provider ?? 'auto', this.options.sessionTuning, { deferUnet: lean && (this.options.unetAfterEncoders ?? true) });
    try {
      const model = await this.loading;
      await this.usePreviewDecoder(model, this.options.previewDecoders);
      this.current = { dir: key, model };
      return { model, loadMs: performance.now() - t };
    } finally {
      this.loading = undefined;
    }
  }

  /**
   * Gives the model the preview decoder for its family from `decoders` (none there: the built-in
   * previews). Loads only when the path changes, so a decoder pulled while the app runs is used from the
   * next job on, without a restart.
   */
  private async usePreviewDecoder(model: LoadedModel, decoders: EngineOptions['previewDecoders']): Promise<void> {
    const path = decoders?.[model.layout.family === 'sdxl' ? 'sdxl' : 'sd'];
    if (path === model.previewPath) return;
    await model.preview?.release();
    model.preview = undefined;
    model.previewPath = path;
    if (!path) return;
    try {
      model.preview = await PreviewDecoder.load(path, this.options.provider ?? 'auto');
    } catch (error) {
      // Previews are a nicety: fall back to the built-in ones and say why.
      model.notices.push(`preview decoder not used: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Loads the model (after any running job) and describes it. */
  inspect(dir: string): Promise<ModelInfo> {
    return this.inTurn(() => this.describeModel(dir));
  }

  private async describeModel(dir: string): Promise<ModelInfo> {
    const { model } = await this.model(dir);
    // A model a lean job loaded may not have its UNet yet; describing it needs the UNet's inputs.
    await model.loadUnet();
    const l = model.layout;
    const parts: ModelInfo['parts'] = [];
    const add = (part: string, p: { inputs: Map<string, { name: string; type: string; shape: ReadonlyArray<number | string> }>; outputs: Map<string, { name: string; type: string; shape: ReadonlyArray<number | string> }> }) => {
      const fmt = (m: Map<string, { name: string; type: string; shape: ReadonlyArray<number | string> }>) =>
        [...m.values()].map((s) => `${s.name}: ${s.type}[${s.shape.join(', ')}]`);
      parts.push({ part, inputs: fmt(p.inputs), outputs: fmt(p.outputs) });
    };
    add('unet', model.unet.part);
    return {
      name: l.name,
      label: l.label,
      path: l.dir,
      family: l.family,
      pipelineClass: l.pipelineClass,
      weightBytes: l.weightBytes,
      parameters: modelParameterCounts(l),
      vaeScalingFactor: l.vaeScalingFactor,
      unetInChannels: model.unet.inChannels,
      inpainting: model.unet.inChannels === 9 ? 'unet-9-channel' : 'latent-blend',
      canImg2Img: model.vae.canEncode,
      provider: model.provider,
      providerLabel: PROVIDER_LABELS[model.provider] ?? model.provider,
      notices: model.notices,
      parts,
      recommended: l.recommended,
    };
  }

  /** Tokenizes with the model's own tokenizer; loads no session, so token counters stay instant. */
  tokenize(dir: string, text: string): PromptTokenInfo {
    const key = resolve(dir);
    if (this.current?.dir === key) return this.current.model.text.tokenize(text);
    let tokenizer = this.tokenizers.get(key);
    if (!tokenizer) {
      tokenizer = loadTokenizer(readModelFolder(key).tokenizer);
      this.tokenizers.set(key, tokenizer);
    }
    return promptTokenInfo(tokenizer, text);
  }

  /** Runs the job once any inspect in progress is done; its model is never released under it. */
  generate(dir: string, request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    return this.inTurn(() => this.runJob(dir, request, options));
  }

  private async runJob(dir: string, request: GenerateRequest, options: GenerateOptions): Promise<GenerateResult> {
    validateRequest(request);
    const blocked = blockedTerms(request.settings.prompt, this.options.promptFilter ?? []);
    if (blocked.length > 0) {
      throw new EngineError(`the prompt contains a blocked term (${blocked.join(', ')}); the list is in Settings → Prompt filter`);
    }
    if (this.busy) throw new EngineError('the engine is already running a job', 'runtime');
    this.busy = true;
    const started = performance.now();
    const timings: PhaseTimings = { loadMs: 0, encodeMs: 0, denoiseMs: 0, decodeMs: 0, totalMs: 0 };
    try {
      if (options.signal?.aborted) throw new EngineError('cancelled', 'cancelled');
      const memory = this.checkMemory(dir, request);
      const releaseTextEncoders = options.releaseTextEncoders ?? memory?.releaseTextEncoders ?? false;
      const { model, loadMs } = await this.model(dir, releaseTextEncoders);
      // The host names the decoders installed now (one pulled since start-up included).
      if (request.previewDecoders) await this.usePreviewDecoder(model, request.previewDecoders);
      // A control needs the UNet that takes ControlNet residuals; ControlNets not in this job are released.
      const controls = request.controls ?? [];
      const unetMs = await model.selectUnet(controls.length > 0);
      const t = performance.now();
      await model.controlNets(controls.map((c) => resolve(c.dir)));
      const controlMs = performance.now() - t;
      // Switching LoRAs recreates only the sessions whose merged weights change (one reload).
      const lora = await model.applyLoras(request.loras ?? [], this.loraMerger);
      timings.loadMs = loadMs + unetMs + controlMs + lora.reloadMs;
      const resolved = controls.length > 0 ? { ...request, controls: controls.map((c) => ({ ...c, dir: resolve(c.dir) })) } : request;
      const images = await runPipeline(model, resolved, { ...options, releaseTextEncoders }, timings);
      if ((this.options.safetyChecker ?? true) && SafetyChecker.hasChecker(model.layout.dir)) {
        model.safety ??= await SafetyChecker.load(model.layout.dir, this.options.provider ?? 'auto');
        for (const item of images) {
          if (await model.safety.check(item.image)) {
            item.image = blurFlagged(item.image);
            item.flagged = true;
          }
        }
      }
      timings.totalMs = performance.now() - started;
      const sizeNote = sizeWarning(request.settings.width, request.settings.height, recommendedSide(model.layout));
      const warnings = [...(sizeNote ? [sizeNote] : []), ...lora.warnings];
      return {
        ...(warnings.length > 0 ? { warnings } : {}),
        images,
        provider: PROVIDER_LABELS[model.provider] ?? model.provider,
        model: { name: model.layout.name, path: model.layout.dir, family: model.layout.family },
        timings,
      };
    } finally {
      this.busy = false;
      this.scheduleIdleRelease();
    }
  }

  /** Upscales, then optionally refines with an SD model through this engine's own generate (upscale/upscaleJob.ts). */
  upscale(request: UpscaleRequest, options: Pick<GenerateOptions, 'signal'> & { onProgress?: (p: { done: number; total: number }) => void } = {}): Promise<UpscaleResult> {
    return runUpscale(request, { provider: this.options.provider, generate: (dir, req, opts) => this.generate(dir, req, opts) }, options);
  }

  /**
   * Refuses, in one sentence, a job whose estimated peak exceeds free memory; says whether to release the
   * text encoders after encoding to make it fit. Memory held by a loaded model counts as free (a job reuses
   * or replaces it).
   */
  private checkMemory(dir: string, request: GenerateRequest): { releaseTextEncoders: boolean } | undefined {
    if (this.options.memoryCheck === false) return undefined;
    const s = request.settings;
    const check = this.estimateMemory(dir, {
      width: s.width, height: s.height, batch: s.batch, guidance: s.guidance, mode: s.mode,
      controlNetDirs: (request.controls ?? []).map((c) => c.dir), loras: request.loras ?? [],
    });
    if (!check.decision.run) throw new EngineError(check.decision.sentence, 'out-of-memory');
    return { releaseTextEncoders: check.decision.releaseTextEncoders };
  }

  /**
   * The memory check a job would get now (the label beside Generate asks ahead, through the same code):
   * memory the loaded model holds counts as free, and the job's ControlNets and LoRA merges count.
   */
  estimateMemory(dir: string, job: MemoryCheckJob): JobMemoryCheck {
    const key = resolve(dir);
    const layout = this.current?.dir === key ? this.current.model.layout : readModelFolder(key);
    const provider = this.current?.model.provider ?? (this.options.provider === 'cpu' ? 'cpu' : 'auto');
    const held = this.current ? Math.max(0, process.memoryUsage().rss - this.baselineRss) : 0;
    const controlNetBytes = job.controlNetDirs.map((d) => readControlNetFolder(d).weightBytes);
    const loraMergeBytes = job.loras.length ? this.loraMerger.mergeBytes(loraParts(layout), job.loras) : 0;
    const { width, height, batch, guidance, mode } = job;
    return checkJobMemory(layout, { width, height, batch, guidance, mode, controlNetBytes, loraMergeBytes }, provider, held);
  }

  async release(): Promise<void> {
    clearTimeout(this.idleTimer);
    const c = this.current;
    this.current = undefined;
    if (c) await c.model.release();
  }
}
