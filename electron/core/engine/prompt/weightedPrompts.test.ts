import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema, type GenerationSettingsInput } from '../../../contract/generation.js';
import { projectRoot } from '../../models/defaultModel.js';
import { Engine } from '../engine.js';
import { applyEmphasis } from './emphasis.js';

const MODELS = join(projectRoot(), 'native-models', 'test-models');
const SD15 = join(MODELS, 'sd15-tiny');
const SDXL = join(MODELS, 'sdxl-tiny');
const engine = new Engine({ provider: 'cpu' });
afterAll(() => engine.release());

async function pixels(model: string, prompt: string, extra: Partial<GenerationSettingsInput> = {}): Promise<Uint8Array> {
  const settings = GenerationSettingsSchema.parse({
    mode: 'txt2img', prompt, width: 64, height: 64, steps: 3, guidance: 7, scheduler: 'euler', seed: 3, ...extra,
  });
  return (await engine.generate(model, { settings })).images[0]!.image.data;
}

function changed(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += Number(a[i] !== b[i]);
  return n;
}

const long = Array.from({ length: 100 }, (_, i) => ['red', 'blue', 'circle', 'square'][i % 4]).join(' ');

describe('A1111 emphasis', () => {
  it('multiplies each token and keeps the chunk mean', () => {
    const hidden = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const out = applyEmphasis(hidden, [1, 2, 0.5], 2);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(out)).toBeCloseTo(mean(hidden), 5);
    expect(out[2]! / out[0]!).toBeCloseTo(6, 5); // 3·2 against 1·1
    expect(applyEmphasis(hidden, [1, 1, 1], 2)).toBe(hidden);
  });
});

describe.each([['sd15-tiny', SD15], ['sdxl-tiny', SDXL]])('weighted and long prompts on %s', (_name, model) => {
  it('a weight changes the picture, and (x:1) is exactly x', async () => {
    const plain = await pixels(model, 'a red circle on grass');
    expect(changed(await pixels(model, 'a (red circle:1) on grass'), plain)).toBe(0);
    expect(changed(await pixels(model, 'a ((red circle)) on grass'), plain)).toBeGreaterThan(0);
    expect(changed(await pixels(model, 'a [red circle] on grass'), plain)).toBeGreaterThan(0);
  });

  it('encodes prompts past 75 tokens instead of cutting them, with a shorter negative padded to match', async () => {
    const full = await pixels(model, long, { negativePrompt: 'blurry' });
    const cut = await pixels(model, long.split(' ').slice(0, 75).join(' '), { negativePrompt: 'blurry' });
    expect(changed(full, cut)).toBeGreaterThan(0);
    // a long negative with a short prompt pads the prompt instead
    expect(changed(await pixels(model, 'a red circle', { negativePrompt: long }), await pixels(model, 'a red circle'))).toBeGreaterThan(0);
    // BREAK starts a new chunk: the same words read differently
    expect(changed(await pixels(model, 'a red circle BREAK on grass'), await pixels(model, 'a red circle on grass'))).toBeGreaterThan(0);
  });
});
