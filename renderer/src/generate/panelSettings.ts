import { GENERATION_DEFAULTS, type GenerationSettings } from '../../../electron/contract/generation.js';

/**
 * The part of GenerationSettings the prompt panel holds (mode, size and seed come from the frame and the run;
 * LoRAs, regions and style have their own pickers). One key list, one set of defaults (the contract's):
 * Generate reads these fields into GenerationSettings and "Use settings" writes them back through it.
 */
export const PANEL_SETTING_KEYS = ['prompt', 'negativePrompt', 'steps', 'guidance', 'scheduler', 'batch', 'strength', 'colorMatch', 'blend', 'prefill'] as const;
export type PanelSettingKey = (typeof PANEL_SETTING_KEYS)[number];
export type PanelSettings = { [K in PanelSettingKey]-?: NonNullable<GenerationSettings[K]> };

export const PANEL_DEFAULTS: PanelSettings = {
  prompt: '',
  negativePrompt: GENERATION_DEFAULTS.negativePrompt,
  steps: GENERATION_DEFAULTS.steps,
  guidance: GENERATION_DEFAULTS.guidance,
  scheduler: GENERATION_DEFAULTS.scheduler,
  batch: GENERATION_DEFAULTS.batch,
  strength: GENERATION_DEFAULTS.strength,
  colorMatch: GENERATION_DEFAULTS.colorMatch,
  blend: GENERATION_DEFAULTS.blend,
  prefill: GENERATION_DEFAULTS.prefill,
};

/** The panel's settings out of the store (or anything holding them). */
export function panelSettings(from: PanelSettings): PanelSettings {
  const out = {} as Record<PanelSettingKey, unknown>;
  for (const k of PANEL_SETTING_KEYS) out[k] = from[k];
  return out as PanelSettings;
}

/** What a past generation's settings set in the panel (fields written before an option existed stay as they are). */
export function panelFromSettings(settings: GenerationSettings): Partial<PanelSettings> {
  const out: Partial<Record<PanelSettingKey, unknown>> = {};
  for (const k of PANEL_SETTING_KEYS) if (settings[k] !== undefined) out[k] = settings[k];
  return out as Partial<PanelSettings>;
}
