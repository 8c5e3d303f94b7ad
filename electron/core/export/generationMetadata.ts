import { z } from 'zod';
import { GenerationSettingsSchema, type GenerationSettings, type SchedulerName } from '../../contract/generation.js';

/**
 * What rides along with an exported image so it can be re-run exactly: the settings, the model and
 * the seed of this very image (batch item i has seed + i, so `seed` may differ from settings.seed).
 */
export const GenerationMetadataSchema = z.object({
  settings: GenerationSettingsSchema,
  model: z.string().max(1000),
  modelHash: z.string().max(200).optional(),
  provider: z.string().max(200).optional(),
  seed: z.number().int().min(0).max(0xffffffff),
  createdAt: z.string().max(100).optional(),
  app: z.literal('atelier'),
  appVersion: z.string().max(100).optional(),
});
export type GenerationMetadata = z.infer<typeof GenerationMetadataSchema>;

/** Sampler names as AUTOMATIC1111 / Civitai galleries print them. */
export const A1111_SAMPLER_NAMES: Record<SchedulerName, string> = {
  euler: 'Euler',
  'euler-a': 'Euler a',
  ddim: 'DDIM',
  'dpmpp-2m': 'DPM++ 2M',
  'dpmpp-2m-karras': 'DPM++ 2M Karras',
  lcm: 'LCM',
};

export function schedulerFromA1111(name: string): SchedulerName | undefined {
  const wanted = name.trim().toLowerCase();
  for (const [ours, theirs] of Object.entries(A1111_SAMPLER_NAMES)) {
    if (theirs.toLowerCase() === wanted) return ours as SchedulerName;
  }
  return undefined;
}

/** Parses untrusted JSON into metadata; undefined when it is not ours or does not validate. */
export function parseGenerationMetadataJson(text: string): GenerationMetadata | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = GenerationMetadataSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Short human label for a layer made by a generation, e.g. "Inpaint: a small wooden boat · seed 42". */
export function describeGeneration(settings: Pick<GenerationSettings, 'mode' | 'prompt'>, seed: number, maxPrompt = 60): string {
  const mode = settings.mode === 'txt2img' ? 'Generate' : settings.mode === 'img2img' ? 'Img2img' : 'Inpaint';
  const oneLine = settings.prompt.replace(/\s+/g, ' ').trim();
  const prompt = oneLine.length > maxPrompt ? `${oneLine.slice(0, maxPrompt - 1)}…` : oneLine;
  return `${mode}: ${prompt || '(no prompt)'} · seed ${seed}`;
}
