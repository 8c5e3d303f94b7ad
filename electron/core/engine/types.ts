import type { GenerationSettings } from '../../contract/generation.js';
import type { GrayImage, RgbaImage } from '../image/types.js';
import type { LoraRequest } from './lora/loraMerger.js';
import type { ModelFamily } from '../../contract/modelFamily.js';
import { UserError } from '../../shared/userError.js';

/** What one generation job asks of the engine. Pixels are already decoded (see core/image). */
export interface GenerateRequest {
  settings: GenerationSettings;
  /** img2img and inpaint: the init image, exactly settings.width × settings.height. */
  initImage?: RgbaImage;
  /** inpaint: 255 repaints, 0 keeps; same size as initImage. */
  mask?: GrayImage;
  /** Send a small preview every k steps (0 = none). */
  previewEvery?: number;
  /** Preview decoders installed now, by latent family (the host's scan; wins over the engine's start-up set). */
  previewDecoders?: { sd?: string; sdxl?: string };
  /** LoRA files to merge for this job (the host resolves settings.loras and prompt tags to files). */
  loras?: LoraRequest[];
  /** ControlNets for this job, in settings.controls' order (the host resolves model ids and image ids). */
  controls?: ControlRequest[];
}

/** One ControlNet of a job: its folder, the preprocessed map (settings.width × height) and when it applies. */
export interface ControlRequest {
  dir: string;
  image: RgbaImage;
  /** diffusers' controlnet_conditioning_scale. */
  scale: number;
  /** Fraction of the steps run (0..1) during which it applies (control_guidance_start/end). */
  start: number;
  end: number;
}

export interface StepProgress {
  /** Steps completed so far over all images of the batch. */
  done: number;
  total: number;
  batchIndex: number;
  /** Small RGBA preview (at most 128 px on the long side), when asked for. */
  preview?: RgbaImage;
}

export interface PhaseTimings {
  loadMs: number;
  encodeMs: number;
  denoiseMs: number;
  decodeMs: number;
  totalMs: number;
}

export interface GeneratedImage {
  image: RgbaImage;
  /** The seed that produced this image (batch item i uses seed + i). */
  seed: number;
  /** The model's safety checker flagged it; the pixels are blurred. */
  flagged?: boolean;
}

export interface GenerateResult {
  images: GeneratedImage[];
  provider: string;
  model: { name: string; path: string; family: ModelFamily };
  timings: PhaseTimings;
  /** One-sentence warnings about the job that still ran (a size far from the model's, a LoRA that fits only partly). */
  warnings?: string[];
}

export interface GenerateOptions {
  onProgress?: (p: StepProgress) => void;
  signal?: AbortSignal;
  /** Free the text encoders once the prompt is encoded (memory is short; they load again next job). */
  releaseTextEncoders?: boolean;
}


/** Error whose message is written for the user; hosts print it as one line. */
export class EngineError extends UserError {
  declare readonly code: EngineErrorCode;
  /** `detail`: the underlying library's text, for logs and bug reports, never shown as the message. */
  constructor(message: string, code: EngineErrorCode = 'invalid-input', readonly detail?: string) {
    super(message, code);
  }
}
export type EngineErrorCode = 'invalid-input' | 'invalid-model' | 'cancelled' | 'runtime' | 'out-of-memory';
