import { describe, expect, it } from 'vitest';
import { GenerationSettingsSchema } from '../../../contract/generation.js';
import { INPAINT_DEFAULTS, inpaintOptionsOf } from './inpaintOptions.js';

const MINIMAL = { mode: 'inpaint', prompt: 'x', width: 64, height: 64, steps: 4, guidance: 7, scheduler: 'euler', seed: 1 } as const;

describe('inpaint options', () => {
  it('parse fills the schema defaults, and they equal the engine defaults', () => {
    const parsed = GenerationSettingsSchema.parse(MINIMAL);
    expect(parsed).toMatchObject({ colorMatch: true, blend: 'multiband', prefill: 'none', maskMargin: 16, maskFeather: 4 });
    expect(inpaintOptionsOf(parsed)).toEqual(INPAINT_DEFAULTS);
  });

  it('resolves settings written before the options existed to the same defaults', () => {
    const old = { ...MINIMAL, negativePrompt: '', batch: 1, strength: 1, maskFeather: 4 };
    expect(inpaintOptionsOf(old)).toEqual(INPAINT_DEFAULTS);
  });

  it('carries explicit choices and rejects unknown ones', () => {
    const s = GenerationSettingsSchema.parse({ ...MINIMAL, colorMatch: false, blend: 'linear', prefill: 'patch', maskMargin: 0, maskFeather: 2 });
    expect(inpaintOptionsOf(s)).toEqual({ feather: 2, colorMatch: false, blend: 'linear', prefill: 'patch', marginPx: 0 });
    expect(GenerationSettingsSchema.safeParse({ ...MINIMAL, blend: 'poisson' }).success).toBe(false);
    expect(GenerationSettingsSchema.safeParse({ ...MINIMAL, maskMargin: 65 }).success).toBe(false);
  });
});
