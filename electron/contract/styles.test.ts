import { describe, expect, it } from 'vitest';
import { SHIPPED_STYLES, StylePresetSchema, applyStyle, findStyle, mergeStylePrompt } from './styles.js';

const base = { prompt: 'a lighthouse', negativePrompt: 'fog', scheduler: 'euler' as const, steps: 20, guidance: 7 };

describe('style presets', () => {
  it('merge prompts as A1111 does: {prompt} is replaced, else the style is appended after a comma', () => {
    expect(mergeStylePrompt('oil painting of {prompt}, impasto', 'a boat')).toBe('oil painting of a boat, impasto');
    expect(mergeStylePrompt('impasto, thick paint', 'a boat')).toBe('a boat, impasto, thick paint');
    expect(mergeStylePrompt('impasto', '')).toBe('impasto');
    expect(mergeStylePrompt('', 'a boat')).toBe('a boat');
  });

  it('apply the template, the negative, the settings the style has, and record its name', () => {
    const pixel = findStyle('pixel ART', SHIPPED_STYLES)!;
    expect(applyStyle(base, pixel)).toEqual({
      prompt: 'pixel art of a lighthouse, 16-bit, limited palette, crisp pixels',
      negativePrompt: 'fog, blurry, smooth gradients, photo, realistic, watermark',
      scheduler: 'euler', steps: 20, guidance: 7, style: 'Pixel art',
    });
    expect(applyStyle(base, { name: 'Fast', prompt: '{prompt}', negativePrompt: '', steps: 4, scheduler: 'lcm' })).toMatchObject({ steps: 4, scheduler: 'lcm', prompt: 'a lighthouse' });
  });

  it('ships valid presets with unique names, each placing the prompt', () => {
    for (const s of SHIPPED_STYLES) {
      expect(StylePresetSchema.parse(s)).toEqual(s);
      expect(s.prompt).toContain('{prompt}');
    }
    expect(new Set(SHIPPED_STYLES.map((s) => s.name.toLowerCase())).size).toBe(SHIPPED_STYLES.length);
  });
});
