import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { GenerationSettingsSchema } from '../../contract/generation.js';
import { modelMemoryFacts } from '../models/memoryFacts.js';
import { projectRoot } from '../models/defaultModel.js';
import { readModelFolder } from '../models/modelFolder.js';
import { Engine } from './engine.js';
import { loadModel } from './loadedModel.js';
import { estimateJobMemory } from './memoryEstimate.js';
import { runPipeline } from './pipeline.js';
import type { GenerateRequest, PhaseTimings } from './types.js';

const MODELS = join(projectRoot(), 'native-models', 'test-models');
const SD15 = join(MODELS, 'sd15-tiny');
const SDXL = join(MODELS, 'sdxl-tiny');

function request(width = 64, height = 64): GenerateRequest {
  const settings = GenerationSettingsSchema.parse({
    mode: 'txt2img', prompt: 'a red circle', negativePrompt: '', width, height,
    steps: 2, guidance: 7, scheduler: 'euler', seed: 3, batch: 1,
  });
  return { settings };
}

const timings = (): PhaseTimings => ({ loadMs: 0, encodeMs: 0, denoiseMs: 0, decodeMs: 0, totalMs: 0 });

const warm = new Engine({ provider: 'cpu', memoryCheck: false });
afterAll(() => warm.release());

describe('lean loading: the UNet session is created after the text encoders ran and were released', () => {
  for (const [name, dir, h] of [['SD 1.5', SD15, 64], ['SDXL', SDXL, 96]] as const) {
    it(`${name}: encoders released before the UNet exists; same pixels as a warm model`, async () => {
      const model = await loadModel(dir, 'cpu', undefined, { deferUnet: true });
      try {
        expect(model.unetLoaded).toBe(false);
        expect(() => model.unet).toThrow(/UNet is not loaded yet/);
        const release = model.text.releaseEncoders.bind(model.text);
        const unetLoadedAtRelease: boolean[] = [];
        model.text.releaseEncoders = async () => {
          unetLoadedAtRelease.push(model.unetLoaded);
          await release();
        };
        const t = timings();
        const [lean] = await runPipeline(model, request(64, h), { releaseTextEncoders: true }, t);
        expect(unetLoadedAtRelease[0]).toBe(false);
        expect(model.unetLoaded).toBe(true);
        expect(t.loadMs).toBeGreaterThan(0);

        const full = await warm.generate(dir, request(64, h));
        expect(Buffer.from(lean!.image.data).equals(Buffer.from(full.images[0]!.image.data))).toBe(true);

        // The next lean job keeps the UNet warm and loads the encoders again beside it.
        const [again] = await runPipeline(model, request(64, h), { releaseTextEncoders: true }, timings());
        expect(Buffer.from(again!.image.data).equals(Buffer.from(lean!.image.data))).toBe(true);
      } finally {
        await model.release();
      }
    });
  }

  it('a deferred model without a lean job loads its UNet after encoding and keeps the encoders', async () => {
    const model = await loadModel(SD15, 'cpu', undefined, { deferUnet: true });
    try {
      let released = false;
      const release = model.text.releaseEncoders.bind(model.text);
      model.text.releaseEncoders = async () => {
        released = true;
        await release();
      };
      await runPipeline(model, request(), {}, timings());
      expect(model.unetLoaded).toBe(true);
      expect(released).toBe(false);
    } finally {
      await model.release();
    }
  });
});

describe('the engine loads lean when memory is short', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('runs a job that fits only lean, then describes the model (its UNet loaded by then)', async () => {
    const e = estimateJobMemory(modelMemoryFacts(readModelFolder(SD15)), { width: 64, height: 64, batch: 1, guidance: 7, mode: 'txt2img' });
    expect(e.leanPeakBytes).toBeLessThan(e.peakBytes);
    vi.stubEnv('ATELIER_FREE_MEMORY', String(Math.round((e.leanPeakBytes + e.peakBytes) / 2)));
    const engine = new Engine({ provider: 'cpu' });
    try {
      const lean = await engine.generate(SD15, request());
      const full = await warm.generate(SD15, request());
      expect(Buffer.from(lean.images[0]!.image.data).equals(Buffer.from(full.images[0]!.image.data))).toBe(true);
      const info = await engine.inspect(SD15);
      expect(info.unetInChannels).toBe(4);
      expect(info.provider).toBe('cpu');
    } finally {
      await engine.release();
    }
  });
});
