import { z } from 'zod';
import { SCHEDULER_NAMES, type GenerationSettings } from './generation.js';

/**
 * Style presets: a prompt template (`{prompt}` marks where the user's prompt goes), a negative prompt, and
 * optionally the sampler, steps and guidance the style was tuned for. A set ships with the app; users save
 * their own from the current settings (core/store/userStyles.ts). Pure: the renderer and the CLI apply
 * the same way, and what a generation records is the expanded prompt plus the style's name.
 */
export const StylePresetSchema = z.object({
  name: z.string().trim().min(1, 'a style needs a name').max(60),
  prompt: z.string().max(10_000),
  negativePrompt: z.string().max(10_000).default(''),
  scheduler: z.enum(SCHEDULER_NAMES).optional(),
  steps: z.number().int().min(1).max(200).optional(),
  guidance: z.number().min(0).max(30).optional(),
});
export type StylePreset = z.infer<typeof StylePresetSchema>;
export type StylePresetInput = z.input<typeof StylePresetSchema>;

/** The placeholder a template puts the user's prompt at. */
export const PROMPT_PLACEHOLDER = '{prompt}';

/**
 * A1111's rule (modules/styles.py `merge_prompts`): with `{prompt}` the user's text replaces it; without,
 * the style's text is appended after a comma. Empty parts add no stray comma.
 */
export function mergeStylePrompt(template: string, prompt: string): string {
  if (template.includes(PROMPT_PLACEHOLDER)) return template.replaceAll(PROMPT_PLACEHOLDER, prompt);
  return [prompt.trim(), template.trim()].filter(Boolean).join(', ');
}

/** Settings with the style applied: prompts expanded, its sampler/steps/guidance where it has them, its name recorded. */
export function applyStyle<S extends Pick<GenerationSettings, 'prompt' | 'negativePrompt' | 'scheduler' | 'steps' | 'guidance'>>(
  settings: S,
  style: StylePreset,
): S & { style: string } {
  return {
    ...settings,
    prompt: mergeStylePrompt(style.prompt, settings.prompt),
    negativePrompt: mergeStylePrompt(style.negativePrompt, settings.negativePrompt),
    ...(style.scheduler ? { scheduler: style.scheduler } : {}),
    ...(style.steps !== undefined ? { steps: style.steps } : {}),
    ...(style.guidance !== undefined ? { guidance: style.guidance } : {}),
    style: style.name,
  };
}

/** Case-insensitive lookup, user presets first (a user style may shadow a shipped one of the same name). */
export function findStyle(name: string, styles: readonly StylePreset[]): StylePreset | undefined {
  const wanted = name.trim().toLowerCase();
  return styles.find((s) => s.name.toLowerCase() === wanted);
}

const NEGATIVE_PHOTO = 'painting, drawing, illustration, cartoon, anime, blurry, lowres, deformed, watermark, text';
const NEGATIVE_ART = 'photo, photograph, realistic, blurry, lowres, watermark, text, signature';

/** Shipped with the app; written for SD 1.5 / SDXL-style models, neutral about sampler settings unless they matter. */
export const SHIPPED_STYLES: readonly StylePreset[] = [
  { name: 'Photographic', prompt: 'photograph of {prompt}, 50mm, natural light, sharp focus, highly detailed', negativePrompt: NEGATIVE_PHOTO },
  { name: 'Cinematic', prompt: 'cinematic film still of {prompt}, shallow depth of field, anamorphic, film grain, moody lighting', negativePrompt: `${NEGATIVE_PHOTO}, bright, flat lighting` },
  { name: 'Product shot', prompt: 'studio product photo of {prompt}, clean seamless background, softbox lighting, commercial, crisp', negativePrompt: `${NEGATIVE_PHOTO}, clutter, busy background` },
  { name: 'Digital art', prompt: 'digital painting of {prompt}, concept art, vibrant colours, detailed, artstation', negativePrompt: NEGATIVE_ART },
  { name: 'Anime', prompt: 'anime illustration of {prompt}, cel shading, clean line art, vivid colours', negativePrompt: `${NEGATIVE_ART}, 3d render` },
  { name: 'Oil painting', prompt: 'oil painting of {prompt}, thick impasto brush strokes, canvas texture, classical composition', negativePrompt: NEGATIVE_ART },
  { name: 'Watercolour', prompt: 'watercolour painting of {prompt}, soft washes, paper texture, loose brushwork', negativePrompt: NEGATIVE_ART },
  { name: 'Line art', prompt: 'black ink line drawing of {prompt}, clean outlines, white background, minimal', negativePrompt: `${NEGATIVE_ART}, colour, shading` },
  { name: 'Isometric 3D', prompt: 'isometric 3d render of {prompt}, soft global illumination, pastel colours, miniature, clay', negativePrompt: 'photo, blurry, lowres, watermark, text' },
  { name: 'Pixel art', prompt: 'pixel art of {prompt}, 16-bit, limited palette, crisp pixels', negativePrompt: 'blurry, smooth gradients, photo, realistic, watermark', guidance: 7 },
];
