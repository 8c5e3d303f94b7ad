import { GENERATION_DEFAULTS, type GenerationSettings } from '../../../electron/contract/generation.js';

/**
 * What of a GenerationSettings the prompt panel does not hold, because something else decides it at
 * Generate: the plan (mode), the frame (width, height), the document (regions), the Control section
 * (controls) and the style picker (style; applyStyle expands the prompts and records it).
 */
const DECIDED_ELSEWHERE = ['mode', 'width', 'height', 'regions', 'controls', 'style'] as const;

/**
 * The prompt panel's settings: ONE GenerationSettings object (less what is decided elsewhere) held in the
 * store as `settings`. Generate spreads it into the job's settings; "Use settings" writes a past
 * generation's settings back into it. The inpaint options and LoRAs are always set here (empty = none).
 */
export type PanelSettings = Omit<GenerationSettings, (typeof DECIDED_ELSEWHERE)[number]> &
  Required<Pick<GenerationSettings, 'colorMatch' | 'blend' | 'prefill' | 'loras'>>;

/** One set of defaults, the contract's (the mask margin stays unset: the engine resolves it to the same default). */
export const PANEL_DEFAULTS: PanelSettings = {
  prompt: '',
  negativePrompt: GENERATION_DEFAULTS.negativePrompt,
  steps: GENERATION_DEFAULTS.steps,
  guidance: GENERATION_DEFAULTS.guidance,
  scheduler: GENERATION_DEFAULTS.scheduler,
  seed: 1234,
  batch: GENERATION_DEFAULTS.batch,
  strength: GENERATION_DEFAULTS.strength,
  maskFeather: GENERATION_DEFAULTS.maskFeather,
  colorMatch: GENERATION_DEFAULTS.colorMatch,
  blend: GENERATION_DEFAULTS.blend,
  prefill: GENERATION_DEFAULTS.prefill,
  loras: [],
};

/**
 * What a past generation's settings set in the panel: all of them but what is decided elsewhere; options
 * written before they existed (absent) leave the panel's value as it is.
 */
export function panelFromSettings(settings: GenerationSettings): Partial<PanelSettings> {
  const decided: readonly string[] = DECIDED_ELSEWHERE;
  return Object.fromEntries(Object.entries(settings).filter(([k, v]) => v !== undefined && !decided.includes(k))) as Partial<PanelSettings>;
}
