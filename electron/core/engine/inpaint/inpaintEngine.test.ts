import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema, type GenerationSettingsInput } from '../../../contract/generation.js';
import type { RgbaImage } from '../../image/types.js';
import { projectRoot } from '../../models/defaultModel.js';
import { Engine } from '../engine.js';
import { makeMask, makeScene } from '../../../testing/inpaint/simulate.js';

// The real tiny SD1.5 test models through the whole engine: the inpaint options reach the pipeline.
const MODELS = join(projectRoot(), 'native-models', 'test-models');
const S = 64;
const init = makeScene('photo', S, S, 2);
const mask = makeMask('circle', S, S);

function settings(extra: Partial<GenerationSettingsInput>) {
  return GenerationSettingsSchema.parse({
    mode: 'inpaint', prompt: 'a stone wall', width: S, height: S, steps: 3, guidance: 7, scheduler: 'euler', seed: 9, strength: 1, ...extra,
  });
}

function changedOutside(img: RgbaImage): number {
  let n = 0;
  for (let p = 0; p < S * S; p++) if (mask.data[p] === 0 && [0, 1, 2, 3].some((c) => img.data[p * 4 + c] !== init.data[p * 4 + c])) n++;
  return n;
}

function differs(a: RgbaImage, b: RgbaImage): boolean {
  return a.data.some((v, i) => v !== b.data[i]);
}

describe('inpaint options through the engine', () => {
  const engine = new Engine({ provider: 'cpu' });
  afterAll(() => engine.release());

  for (const model of ['sd15-tiny', 'sd15-inpaint-tiny']) {
    it(`${model}: every variant keeps unmasked pixels byte-identical, and each option changes the result`, async () => {
      const run = async (extra: Partial<GenerationSettingsInput>) =>
        (await engine.generate(join(MODELS, model), { settings: settings(extra), initImage: init, mask })).images[0]!.image;
      const def = await run({});
      const linear = await run({ blend: 'linear', colorMatch: false });
      const noMargin = await run({ maskMargin: 0 });
      const prefilled = await run({ prefill: 'patch', strength: 0.6 });
      const plain = await run({ strength: 0.6 });
      for (const img of [def, linear, noMargin, prefilled, plain]) expect(changedOutside(img)).toBe(0);
      expect(differs(def, linear)).toBe(true);
      expect(differs(def, noMargin)).toBe(true);
      expect(differs(prefilled, plain)).toBe(true);
    });
  }
});
