import { extractLoraTags } from '../../contract/lora.js';
import { SIZE_LIMITS } from '../../contract/generation.js';
import { MAX_CONTROLS } from '../../contract/control.js';
import { prepareControls, stepResiduals, type PreparedControl } from './controlnet/controlGuidance.js';
import type { GrayImage, RgbaImage } from '../image/types.js';
import { isMaskEmpty } from './mask.js';
import { repaintLatentMask } from './inpaint/gridMask.js';
import { inpaintOptionsOf, type InpaintOptions } from './inpaint/inpaintOptions.js';
import { outpaintInputs } from './inpaint/outpaint.js';
import { DEFAULT_PATCH_FILL, prefillPatch } from './inpaint/prefill.js';
import { pasteBack } from './inpaint/seamless.js';
import type { LoadedModel } from './loadedModel.js';
import { downscaleForPreview, imageToModelSpace, maskedModelSpace, modelSpaceToImage } from './pixels.js';
import { linearLatentPreview, PREVIEW_MAX_SIDE } from './preview.js';
import { createRng, type Rng } from './rng.js';
import { createScheduler, guidanceScaleEmbedding, parseSchedulerConfig, type Scheduler } from './schedulers/index.js';
import type { PromptEmbedding } from './textEncoder.js';
import { EngineError, type GenerateOptions, type GenerateRequest, type GeneratedImage, type PhaseTimings } from './types.js';
import { cropTopLeft, padMask, padMirrored, roundUpTo, unetPixelGrid } from './sizeGrid.js';
import type { UnetConditioning } from './unet.js';
import { clipRegion, combineBranches, regionWeights, type RegionBranch } from './regions.js';


/** Checks everything about a request that can be checked before touching a model. */
export function validateRequest(req: GenerateRequest): void {
  const s = req.settings;
  for (const [label, v] of [['width', s.width], ['height', s.height]] as const) {
    if (!Number.isInteger(v) || v % SIZE_LIMITS.multiple !== 0) {
      throw new EngineError(`${label} must be a multiple of ${SIZE_LIMITS.multiple} (got ${v})`);
    }
    if (v < SIZE_LIMITS.min || v > SIZE_LIMITS.max) {
      throw new EngineError(`${label} must be between ${SIZE_LIMITS.min} and ${SIZE_LIMITS.max} (got ${v})`);
    }
  }
  if (s.mode !== 'txt2img') {
    const init = req.initImage;
    if (!init) throw new EngineError(`${s.mode} needs an init image`);
    if (init.width !== s.width || init.height !== s.height) {
      throw new EngineError(`init image is ${init.width}×${init.height}, but the generation is ${s.width}×${s.height}`);
    }
  }
  (s.regions ?? []).forEach((r, i) => clipRegion(r, i, s.width, s.height));
  if (s.mode === 'inpaint') {
    const mask = req.mask;
    if (!mask) throw new EngineError('inpaint needs a mask');
    if (mask.width !== s.width || mask.height !== s.height) {
      throw new EngineError(`mask is ${mask.width}×${mask.height}, but the image is ${s.width}×${s.height}`);
    }
    if (isMaskEmpty(mask)) throw new EngineError('the mask is empty: paint the area to repaint (white repaints, black keeps)');
  }
  const controls = req.controls ?? [];
  if (controls.length > MAX_CONTROLS) throw new EngineError(`at most ${MAX_CONTROLS} ControlNets at once (got ${controls.length})`);
  controls.forEach((c, i) => {
    const which = controls.length > 1 ? `control ${i + 1}` : 'the control image';
    if (c.image.width !== s.width || c.image.height !== s.height) {
      throw new EngineError(`${which} is ${c.image.width}×${c.image.height}, but the generation is ${s.width}×${s.height}`);
    }
    if (!(c.start >= 0 && c.end <= 1 && c.start < c.end)) throw new EngineError(`${which}: start (${c.start}) must be before end (${c.end}), both within 0..1`);
    if (!(c.scale >= 0 && Number.isFinite(c.scale))) throw new EngineError(`${which}: scale must be 0 or more (got ${c.scale})`);
  });
}

function concatBatch(...parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function repeatBatch(one: Float32Array, count: number): Float32Array {
  return concatBatch(...Array.from({ length: count }, () => one));
}

/** Everything computed once per job and shared by every image of the batch. */
interface JobContext {
  model: LoadedModel;
  req: GenerateRequest;
  latentH: number;
  latentW: number;
  /** Conditioning for one UNet call: [uncond, cond] when guidance applies, else [cond]; regions add branches. */
  cond: UnetConditioning;
  unetBatch: number;
  useGuidance: boolean;
  /** Regional prompts: how the batch's predictions combine per latent cell (regions.ts). */
  branches?: RegionBranch[];
  initLatents?: Float32Array;
  /** Inpaint, 4-channel UNet: 1 where the model repaints, per latent cell. */
  latentMask?: Float32Array;
  /** Inpaint, 9-channel UNet: mask ‖ masked-image latents, appended to the latents each step. */
  inpaintExtra?: Float32Array;
  /** Inpaint: feather, colour match, blend, pre-fill and margin, defaults resolved. */
  inpaint?: InpaintOptions;
  /** ControlNets, loaded and checked against the model (controlnet/controlGuidance.ts). */
  controls?: PreparedControl[];
}

/** A fresh scheduler for one image (DPM++ keeps state between steps). LCM builds its img2img schedule from the strength. */
function schedulerFor(ctx: JobContext): Scheduler {
  const s = ctx.req.settings;
  const strength = ctx.initLatents ? s.strength : 1;
  return createScheduler(s.scheduler, parseSchedulerConfig(ctx.model.layout.schedulerConfig), s.steps, { strength });
}

function timeIds(h: number, w: number): Float32Array {
  // (original h, w, crop top, left, target h, w), as SDXL was trained.
  return new Float32Array([h, w, 0, 0, h, w]);
}

interface PromptSlot {
  text: string;
  negative: boolean;
}

/**
 * Encodes prompts into one batch for the UNet; all are padded to the same chunk count (A1111 pads the shorter).
 * After a lean load the UNet has no session yet: the encoders run first and, when asked, are released before
 * the UNet's session is created, so the two never sit in memory together (loadedModel.ts `deferUnet`).
 */
async function encodeBatch(model: LoadedModel, req: GenerateRequest, slots: PromptSlot[], opts: GenerateOptions): Promise<{ cond: UnetConditioning; unetLoadMs: number }> {
  const s = req.settings;
  const loaded = model.unetLoaded ? model.unet : undefined;
  // Without the UNet's inputs at hand, two text encoders mean SDXL (the only family with two).
  const isXL = loaded ? loaded.isXL : model.layout.textEncoder2 !== undefined;
  // <lora:NAME:WEIGHT> tags were resolved by the host; this step takes them out before the prompt parser.
  const texts = slots.map((slot) => extractLoraTags(slot.text).prompt);
  const chunks = Math.max(...texts.map((text) => model.text.chunkCount(text)));
  loaded?.checkSequenceLength(chunks);
  const parts: PromptEmbedding[] = [];
  for (const [i, slot] of slots.entries()) parts.push(await model.text.encode(texts[i]!, { zeroIfEmpty: isXL && slot.negative, chunks }));
  let unet = loaded;
  let unetLoadMs = 0;
  if (!unet) {
    if (opts.releaseTextEncoders) await model.text.releaseEncoders();
    const t = performance.now();
    unet = await model.loadUnet();
    unetLoadMs = performance.now() - t;
    unet.checkSequenceLength(chunks);
  }
  const first = parts[0]!;
  const result: UnetConditioning = { hidden: concatBatch(...parts.map((p) => p.hidden)), sequenceLength: first.sequenceLength, width: first.width };
  if (unet.isXL) {
    if (parts.some((p) => !p.pooled)) throw new EngineError(`${model.layout.name}: text_encoder_2 has no text_embeds output`, 'invalid-model');
    result.textEmbeds = concatBatch(...parts.map((p) => p.pooled!));
    result.timeIds = repeatBatch(timeIds(s.height, s.width), parts.length);
  }
  if (unet.takesTimestepCond) {
    result.timestepCond = repeatBatch(guidanceScaleEmbedding(s.guidance - 1, unet.timestepCondDim), parts.length);
  }
  return { cond: result, unetLoadMs };
}

/** [negative, prompt] with guidance, else [prompt]; with regions, a branch per region after the base. */
async function buildConditioning(
  model: LoadedModel,
  req: GenerateRequest,
  opts: GenerateOptions,
  useGuidance: boolean,
  latentH: number,
  latentW: number,
): Promise<{ cond: UnetConditioning; unetLoadMs: number; batch: number; branches?: RegionBranch[] }> {
  const s = req.settings;
  const regions = s.regions ?? [];
  if (regions.length === 0) {
    const slots = useGuidance ? [{ text: s.negativePrompt, negative: true }, { text: s.prompt, negative: false }] : [{ text: s.prompt, negative: false }];
    return { ...(await encodeBatch(model, req, slots, opts)), batch: slots.length };
  }
  const weights = regionWeights(regions, s.width, s.height, latentW, latentH);
  const slots: PromptSlot[] = [];
  const add = (text: string, negative: boolean): number => slots.push({ text, negative }) - 1;
  const baseUncond = useGuidance ? add(s.negativePrompt, true) : undefined;
  const branches: RegionBranch[] = [{ uncond: baseUncond, cond: add(s.prompt, false), weight: weights.base }];
  regions.forEach((r, i) => {
    const uncond = useGuidance && r.negativePrompt !== undefined && r.negativePrompt !== s.negativePrompt ? add(r.negativePrompt, true) : baseUncond;
    branches.push({ uncond, cond: add(r.prompt, false), weight: weights.regions[i]! });
  });
  return { ...(await encodeBatch(model, req, slots, opts)), batch: slots.length, branches };
}

async function prepareInpaint(ctx: JobContext, init: RgbaImage, mask: GrayImage): Promise<void> {
  const { model, req, latentH, latentW } = ctx;
  const s = req.settings;
  ctx.inpaint = inpaintOptionsOf(s);
  // The model repaints the mask plus a context margin, on whole latent cells; paste-back uses the mask itself.
  const grid = repaintLatentMask(mask, ctx.inpaint.marginPx);
  if (model.unet.inChannels === 9) {
    const maskedLatents = await model.vae.encode(maskedModelSpace(init, mask), s.height, s.width);
    const extra = new Float32Array(5 * latentH * latentW);
    extra.set(grid, 0);
    extra.set(maskedLatents, latentH * latentW);
    ctx.inpaintExtra = extra;
  } else {
    ctx.latentMask = grid;
  }
}

/**
 * Latents before the first step to run: noise, or the init image noised to the start level. As in diffusers,
 * only inpainting at full strength starts from pure noise (`is_strength_max`); img2img always noises the
 * image (StableDiffusionImg2ImgPipeline.prepare_latents), so at strength 1 a trace of it remains.
 */
function initialLatents(ctx: JobContext, scheduler: Scheduler, start: number, noise: Float32Array): Float32Array {
  if (!ctx.initLatents || (start === 0 && ctx.req.settings.mode === 'inpaint')) {
    const out = new Float32Array(noise.length);
    for (let i = 0; i < noise.length; i++) out[i] = noise[i]! * scheduler.initNoiseSigma;
    return out;
  }
  return scheduler.addNoise(ctx.initLatents, noise, start);
}

async function previewOf(ctx: JobContext, latents: Float32Array): Promise<RgbaImage> {
  const { latentH: h, latentW: w, model } = ctx;
  if (model.preview) return model.preview.decode(latents, h, w);
  // Without TAESD: a small latent decodes in milliseconds with the real VAE, so show the real
  // picture; bigger ones get the free linear approximation.
  if (h * w <= 32 * 32) {
    const px = await model.vae.decode(latents, h, w);
    return downscaleForPreview(modelSpaceToImage(px, w * 8, h * 8), PREVIEW_MAX_SIDE);
  }
  return linearLatentPreview(latents, h, w, model.unet.isXL);
}

interface Progress {
  done: number;
  total: number;
}

async function denoiseOne(ctx: JobContext, seed: number, batchIndex: number, progress: Progress, opts: GenerateOptions): Promise<Float32Array> {
  const { model, req, latentH: h, latentW: w, unetBatch, useGuidance } = ctx;
  const s = req.settings;
  const plane = h * w;
  const rng: Rng = createRng(seed);
  const scheduler = schedulerFor(ctx);
  const start = ctx.initLatents ? scheduler.startIndexForStrength(s.strength) : 0;
  const noise = rng.fillNormal(new Float32Array(4 * plane));
  let latents = initialLatents(ctx, scheduler, start, noise);
  const inCh = model.unet.inChannels;
  const timesteps = scheduler.timesteps;

  for (let i = start; i < timesteps.length; i++) {
    if (opts.signal?.aborted) throw new EngineError('cancelled', 'cancelled');
    const scaled = scheduler.scaleModelInput(latents, i);
    const one = new Float32Array(inCh * plane);
    one.set(scaled, 0);
    if (ctx.inpaintExtra) one.set(ctx.inpaintExtra, 4 * plane);
    const input = repeatBatch(one, unetBatch);
    // ControlNets see the 4 latent channels (also beside a 9-channel inpaint UNet), on every branch of the batch.
    const residuals = ctx.controls
      ? await stepResiduals(ctx.controls, i - start, timesteps.length - start, repeatBatch(scaled, unetBatch), unetBatch, h, w, timesteps[i]!, ctx.cond)
      : undefined;
    const pred = await model.unet.predict(input, unetBatch, h, w, timesteps[i]!, ctx.cond, residuals);
    let eps: Float32Array;
    if (ctx.branches) {
      eps = combineBranches(pred, ctx.branches, s.guidance, plane);
    } else if (useGuidance) {
      const n = 4 * plane;
      eps = new Float32Array(n);
      const g = s.guidance;
      for (let k = 0; k < n; k++) {
        const u = pred[k]!;
        eps[k] = u + g * (pred[n + k]! - u);
      }
    } else {
      eps = pred.length === 4 * plane ? pred : pred.subarray(0, 4 * plane);
    }
    latents = scheduler.step(eps, i, latents, rng);
    if (ctx.latentMask && ctx.initLatents) {
      // 4-channel inpainting: keep the known region on the original, noised to the level the next step expects.
      const known = scheduler.addNoise(ctx.initLatents, noise, i + 1);
      const m = ctx.latentMask;
      for (let c = 0; c < 4; c++) {
        for (let p = 0; p < plane; p++) {
          if (m[p] === 0) latents[c * plane + p] = known[c * plane + p]!;
        }
      }
    }
    progress.done++;
    const every = req.previewEvery ?? 0;
    const wantPreview = every > 0 && (i - start + 1) % every === 0 && i < timesteps.length - 1;
    opts.onProgress?.({
      done: progress.done,
      total: progress.total,
      batchIndex,
      preview: wantPreview ? await previewOf(ctx, latents) : undefined,
    });
  }
  return latents;
}

/**
 * Runs a whole job on a loaded model: every image of the batch, in order, seeds seed, seed+1, …, at
 * exactly the size asked. Sizes off the UNet's grid run at the next size on it, the init image and mask
 * padded with mirrored context, and come back cropped (sizeGrid.ts).
 */
export async function runPipeline(
  model: LoadedModel,
  req: GenerateRequest,
  opts: GenerateOptions,
  timings: PhaseTimings,
): Promise<GeneratedImage[]> {
  validateRequest(req);
  // Outpainting: empty pixels join the mask and are pre-filled from their surroundings (outpaint.ts).
  if (req.settings.mode === 'inpaint') {
    const filled = outpaintInputs(req.initImage!, req.mask!);
    req = { ...req, initImage: filled.image, mask: filled.mask };
  }
  const s = req.settings;
  const grid = unetPixelGrid(model.layout.unet.config);
  const width = roundUpTo(s.width, grid);
  const height = roundUpTo(s.height, grid);
  if (width === s.width && height === s.height) return runOnGrid(model, req, opts, timings);
  const padded: GenerateRequest = {
    ...req,
    settings: { ...s, width, height },
    ...(req.initImage ? { initImage: padMirrored(req.initImage, width, height) } : {}),
    ...(req.mask ? { mask: padMask(req.mask, width, height) } : {}),
    ...(req.controls ? { controls: req.controls.map((c) => ({ ...c, image: padMirrored(c.image, width, height) })) } : {}),
  };
  const images = await runOnGrid(model, padded, opts, timings);
  return images.map((item) => ({ ...item, image: cropTopLeft(item.image, s.width, s.height) }));
}

async function runOnGrid(
  model: LoadedModel,
  req: GenerateRequest,
  opts: GenerateOptions,
  timings: PhaseTimings,
): Promise<GeneratedImage[]> {
  const s = req.settings;
  const latentH = s.height / 8;
  const latentW = s.width / 8;
  const useGuidance = s.guidance > 1;

  let t = performance.now();
  const conditioning = await buildConditioning(model, req, opts, useGuidance, latentH, latentW);
  // A lean load creates the UNet's session here, after encoding: that is loading time, not encoding.
  timings.loadMs += conditioning.unetLoadMs;
  t += conditioning.unetLoadMs;
  const ctx: JobContext = {
    model,
    req,
    latentH,
    latentW,
    cond: conditioning.cond,
    unetBatch: conditioning.batch,
    useGuidance,
    branches: conditioning.branches,
  };
  if (req.controls?.length) ctx.controls = await prepareControls(model, req.controls);
  // The prompt is in hand: the encoders' weights can go before the UNet's activations arrive.
  if (opts.releaseTextEncoders) await model.text.releaseEncoders();
  if (s.mode !== 'txt2img') {
    let init = req.initImage!;
    // Removal-style inpainting: start from the surroundings instead of the object being removed.
    if (s.mode === 'inpaint' && inpaintOptionsOf(s).prefill === 'patch') init = prefillPatch(init, req.mask!, { ...DEFAULT_PATCH_FILL, seed: s.seed });
    ctx.initLatents = await model.vae.encode(imageToModelSpace(init), s.height, s.width);
    if (s.mode === 'inpaint') await prepareInpaint(ctx, init, req.mask!);
  }
  timings.encodeMs += performance.now() - t;

  // Steps actually run per image (img2img skips the start of the schedule).
  const probe = schedulerFor(ctx);
  const perImage = probe.timesteps.length - (ctx.initLatents ? probe.startIndexForStrength(s.strength) : 0);
  const progress: Progress = { done: 0, total: perImage * s.batch };

  const images: GeneratedImage[] = [];
  for (let b = 0; b < s.batch; b++) {
    const seed = (s.seed + b) >>> 0;
    t = performance.now();
    const latents = await denoiseOne(ctx, seed, b, progress, opts);
    timings.denoiseMs += performance.now() - t;
    if (opts.signal?.aborted) throw new EngineError('cancelled', 'cancelled');

    t = performance.now();
    const pixels = await model.vae.decode(latents, latentH, latentW);
    let image = modelSpaceToImage(pixels, s.width, s.height);
    if (s.mode === 'inpaint' && ctx.inpaint) image = pasteBack(req.initImage!, image, req.mask!, ctx.inpaint);
    timings.decodeMs += performance.now() - t;
    images.push({ image, seed });
  }
  return images;
}
