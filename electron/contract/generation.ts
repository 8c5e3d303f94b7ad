import { z } from 'zod';
import { ControlRefSchema, MAX_CONTROLS } from './control.js';
import { LoraRefSchema, MAX_LORAS } from './lora.js';

/** Samplers the engine implements, named as users see them in other tools. */
export const SCHEDULER_NAMES = ['euler', 'euler-a', 'ddim', 'dpmpp-2m', 'dpmpp-2m-karras', 'lcm'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

export const GENERATION_MODES = ['txt2img', 'img2img', 'inpaint'] as const;
export type GenerationMode = (typeof GENERATION_MODES)[number];

/** Inpaint paste-back blends and pre-fills (see core/engine/inpaint). */
export const INPAINT_BLENDS = ['multiband', 'linear'] as const;
export type InpaintBlend = (typeof INPAINT_BLENDS)[number];
export const INPAINT_PREFILLS = ['none', 'patch'] as const;
export type InpaintPrefill = (typeof INPAINT_PREFILLS)[number];

/** Size rules shared by UI and engine: multiples of 8, within these limits. */
/** Any multiple of 8 in range works (the engine pads to the UNet's grid and crops); far from the model's own size it warns. */
export const SIZE_LIMITS = { min: 64, max: 4096, multiple: 8 } as const;

/**
 * Regional prompt: a rectangle of the output image (pixels, top-left origin) drawn from its own prompt
 * (and optional negative) while the base prompt covers the rest (core/engine/regions.ts).
 */
export const RegionSchema = z.object({
  x: z.number().int().min(0).max(SIZE_LIMITS.max),
  y: z.number().int().min(0).max(SIZE_LIMITS.max),
  width: z.number().int().min(1).max(SIZE_LIMITS.max),
  height: z.number().int().min(1).max(SIZE_LIMITS.max),
  prompt: z.string().trim().min(1, 'a region needs a prompt').max(10_000),
  negativePrompt: z.string().max(10_000).optional(),
});
export type Region = z.infer<typeof RegionSchema>;
/** Each region adds a UNet branch per step, so the count is bounded. */
export const MAX_REGIONS = 8;

/**
 * Alpha below this is empty canvas: the renderer plans an outpaint there, and the engine pre-fills such
 * pixels and repaints them (core/engine/inpaint/outpaint.ts). Anti-aliased layer edges are content.
 */
export const EMPTY_ALPHA = 8;

/**
 * THE defaults of a generation's settings, in one place: the schema fills them in, the app's prompt panel
 * starts from them, the CLI falls back to them (after a model's recommendation or a style), and the engine
 * resolves a missing inpaint option to them.
 */
export const GENERATION_DEFAULTS = {
  negativePrompt: '',
  steps: 20,
  guidance: 7,
  scheduler: 'euler-a' as SchedulerName,
  batch: 1,
  strength: 0.75,
  maskFeather: 4,
  colorMatch: true,
  blend: 'multiband' as InpaintBlend,
  prefill: 'none' as InpaintPrefill,
  maskMargin: 16,
} as const;

/**
 * The settings of one generation: what the history stores, what PNG metadata carries,
 * what "re-run exactly" replays. Pixels (init image, mask) travel separately.
 */
export const GenerationSettingsSchema = z.object({
  mode: z.enum(GENERATION_MODES),
  prompt: z.string().max(10_000),
  negativePrompt: z.string().max(10_000).default(GENERATION_DEFAULTS.negativePrompt),
  width: z.number().int().min(SIZE_LIMITS.min).max(SIZE_LIMITS.max).multipleOf(SIZE_LIMITS.multiple),
  height: z.number().int().min(SIZE_LIMITS.min).max(SIZE_LIMITS.max).multipleOf(SIZE_LIMITS.multiple),
  steps: z.number().int().min(1).max(200),
  guidance: z.number().min(0).max(30),
  scheduler: z.enum(SCHEDULER_NAMES),
  /** 0 .. 2^32-1; the engine's RNG is seeded from it deterministically. */
  seed: z.number().int().min(0).max(0xffffffff),
  batch: z.number().int().min(1).max(16).default(GENERATION_DEFAULTS.batch),
  /** img2img / inpaint: how much of the schedule to run (1 = from pure noise). */
  strength: z.number().min(0).max(1).default(GENERATION_DEFAULTS.strength),
  /** inpaint: feather radius in pixels of the paste-back (0..8). */
  maskFeather: z.number().int().min(0).max(8).default(GENERATION_DEFAULTS.maskFeather),
  // The inpaint options below are filled in by parse (so history and metadata record them) but stay
  // optional in the type, so settings written before they existed still type-check and load;
  // the engine resolves a missing one to the same default (core/engine/inpaint/inpaintOptions.ts).
  /** inpaint: match the repainted region's colour (Lab mean/variance) to a ring just outside the mask. */
  colorMatch: z.boolean().default(GENERATION_DEFAULTS.colorMatch).optional(),
  /** inpaint: paste-back blend across the feather ('multiband' keeps detail sharp, 'linear' is a plain fade). */
  blend: z.enum(INPAINT_BLENDS).default(GENERATION_DEFAULTS.blend).optional(),
  /** inpaint: fill the masked area from its surroundings before denoising (for removing things). */
  prefill: z.enum(INPAINT_PREFILLS).default(GENERATION_DEFAULTS.prefill).optional(),
  /** inpaint: context in pixels the model repaints beyond the mask (then grown to the 8-px latent grid). */
  maskMargin: z.number().int().min(0).max(64).default(GENERATION_DEFAULTS.maskMargin).optional(),
  /** Regional prompts over the base prompt; absent or empty = the prompt covers the whole image. */
  regions: z.array(RegionSchema).max(MAX_REGIONS).optional(),
  /**
   * The style preset that was applied (core/styles), recorded for the user: `prompt`/`negativePrompt`
   * already hold the expanded text, so a re-run needs no preset to reproduce the image.
   */
  style: z.string().max(100).optional(),
  /** LoRAs merged into the model for this generation (name, strength, SHA-256 of the file). */
  loras: z.array(LoraRefSchema).max(MAX_LORAS).optional(),
  /** ControlNets guiding this generation, in order; their residuals are summed (issue 20). */
  controls: z.array(ControlRefSchema).max(MAX_CONTROLS).optional(),
});
export type GenerationSettings = z.infer<typeof GenerationSettingsSchema>;
export type GenerationSettingsInput = z.input<typeof GenerationSettingsSchema>;
