import { GENERATION_DEFAULTS, type GenerationSettings, type InpaintBlend, type InpaintPrefill } from '../../../contract/generation.js';

/**
 * The inpaint options of one job, with defaults resolved: the CLI, the app and the engine all come
 * through here, so they share one set of defaults (kept equal to the schema's; a test checks).
 */
export interface InpaintOptions {
  feather: number;
  colorMatch: boolean;
  blend: InpaintBlend;
  prefill: InpaintPrefill;
  /** Context margin in px the model repaints beyond the mask. */
  marginPx: number;
}

/** The contract's defaults (GENERATION_DEFAULTS), in the engine's names. */
export const INPAINT_DEFAULTS: Readonly<InpaintOptions> = {
  feather: GENERATION_DEFAULTS.maskFeather,
  colorMatch: GENERATION_DEFAULTS.colorMatch,
  blend: GENERATION_DEFAULTS.blend,
  prefill: GENERATION_DEFAULTS.prefill,
  marginPx: GENERATION_DEFAULTS.maskMargin,
};

export function inpaintOptionsOf(s: Partial<GenerationSettings>): InpaintOptions {
  return {
    feather: s.maskFeather ?? INPAINT_DEFAULTS.feather,
    colorMatch: s.colorMatch ?? INPAINT_DEFAULTS.colorMatch,
    blend: s.blend ?? INPAINT_DEFAULTS.blend,
    prefill: s.prefill ?? INPAINT_DEFAULTS.prefill,
    marginPx: s.maskMargin ?? INPAINT_DEFAULTS.marginPx,
  };
}
