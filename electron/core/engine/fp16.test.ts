import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema } from '../../contract/generation.js';
import { projectRoot } from '../models/defaultModel.js';
import { Engine } from './engine.js';

const MODELS = join(projectRoot(), 'native-models', 'test-models');
let fp16Dir: string;

beforeAll(() => {
  // sd15-tiny with its UNet and VAE decoder swapped for float16-I/O versions of the same weights
  // (native-models/recipes/build_fp16_variant.py): fp16 inputs, outputs, timestep and stored weights.
  fp16Dir = mkdtempSync(join(tmpdir(), 'atelier-fp16-'));
  cpSync(join(MODELS, 'sd15-tiny'), fp16Dir, { recursive: true });
  cpSync(join(MODELS, 'fp16-io', 'unet.onnx'), join(fp16Dir, 'unet', 'model.onnx'));
  cpSync(join(MODELS, 'fp16-io', 'vae_decoder.onnx'), join(fp16Dir, 'vae_decoder', 'model.onnx'));
});
afterAll(() => rmSync(fp16Dir, { recursive: true, force: true }));

describe('float16 models', () => {
  it('run through the same pipeline and land within half-precision error of the float32 model', async () => {
    const engine = new Engine({ provider: 'cpu' });
    const settings = GenerationSettingsSchema.parse({ mode: 'txt2img', prompt: 'a red circle', width: 64, height: 64, steps: 3, guidance: 7, scheduler: 'euler', seed: 11 });
    const info = await engine.inspect(fp16Dir);
    expect(info.parts[0]!.inputs.join(' ')).toMatch(/sample: float16.*timestep: float16/);
    const half = (await engine.generate(fp16Dir, { settings })).images[0]!.image;
    const full = (await engine.generate(join(MODELS, 'sd15-tiny'), { settings })).images[0]!.image;
    let sum = 0;
    let max = 0;
    for (let i = 0; i < full.data.length; i++) {
      const d = Math.abs(full.data[i]! - half.data[i]!);
      sum += d;
      max = Math.max(max, d);
    }
    expect(sum / full.data.length).toBeLessThan(2);
    expect(max).toBeLessThan(40);
    await engine.release();
  });
});
