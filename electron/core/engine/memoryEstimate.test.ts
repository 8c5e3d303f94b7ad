import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GenerationSettingsSchema } from '../../contract/generation.js';
import { projectRoot } from '../models/defaultModel.js';
import { Engine } from './engine.js';
import { freeMemoryBytes, parseByteSize } from './freeMemory.js';
import { decideMemory, estimateJobMemory, MEMORY_COEFFICIENTS, type ModelMemoryFacts } from './memoryEstimate.js';
import { EngineError } from './types.js';

const SD15: ModelMemoryFacts = {
  family: 'sd1',
  textEncoderBytes: 492e6,
  unetBytes: 3438e6,
  vaeDecoderBytes: 198e6,
  vaeEncoderBytes: 137e6,
  unetElementBytes: 4,
  vaeElementBytes: 4,
  plainAttention: false,
  unetChannels: 320,
  firstAttentionHeads: 8,
};
const job = { width: 512, height: 512, batch: 1, guidance: 7, mode: 'txt2img' as const };

describe('memory estimate', () => {
  it('grows with size, counts the VAE encoder only when a job encodes, and plain attention costs S²', () => {
    const small = estimateJobMemory(SD15, job);
    const big = estimateJobMemory(SD15, { ...job, width: 1024, height: 1024 });
    expect(big.peakBytes).toBeGreaterThan(small.peakBytes);
    expect(estimateJobMemory(SD15, { ...job, mode: 'img2img' }).weightBytes - small.weightBytes).toBe(137e6);
    const plain = estimateJobMemory({ ...SD15, plainAttention: true }, job);
    // [2, 8, 4096, 4096] float scores and probabilities: 2 GiB more.
    expect(plain.unetActivationBytes - small.unetActivationBytes).toBe(2 * 2 * 8 * 4096 * 4096 * 4);
    expect(small.leanPeakBytes).toBeLessThan(small.peakBytes);
  });

  it('runs when it fits, releases the text encoders when only that fits, else refuses in one sentence', () => {
    const e = estimateJobMemory(SD15, job);
    expect(decideMemory(SD15, job, e.peakBytes + 1)).toMatchObject({ run: true, releaseTextEncoders: false });
    expect(decideMemory(SD15, job, e.leanPeakBytes + 1)).toMatchObject({ run: true, releaseTextEncoders: true });
    const big = { ...job, width: 2048, height: 2048, batch: 2 };
    const refused = decideMemory(SD15, big, 9.8e9);
    expect(refused.run).toBe(false);
    if (refused.run) return;
    expect(refused.sentence).toMatch(/^needs ≈\d+\.\d GB, 9\.8 GB free: try \d+×\d+$/);
    const [, w] = /try (\d+)×/.exec(refused.sentence)!;
    expect(decideMemory(SD15, { ...big, width: Number(w), height: Number(w) }, 9.8e9).run).toBe(true);
    const hopeless = decideMemory(SD15, job, 1e9);
    expect(hopeless.run ? '' : hopeless.sentence).toMatch(/^needs ≈\d+\.\d GB, 1\.0 GB free: close other programs or use a smaller model$/);
  });

  it('counts a LoRA merge while the sessions load: two copies of the merged weights beside the resident ones', () => {
    const plain = estimateJobMemory(SD15, job);
    // SD 1.5's attention, feed-forward and projection weights in fp32 (the bench's rank-16 LoRA on the stand-in)
    const merge = 1.2e9;
    const withLora = estimateJobMemory(SD15, { ...job, loraMergeBytes: merge });
    expect(withLora.loraMergeBytes).toBe(2 * merge);
    expect(withLora.peakBytes).toBe(MEMORY_COEFFICIENTS.RUNTIME + plain.weightBytes + 2 * merge);
    expect(withLora.leanPeakBytes).toBe(withLora.peakBytes);
    // a merge smaller than the activations that follow it changes nothing (it is gone before they exist)
    expect(estimateJobMemory(SD15, { ...job, loraMergeBytes: 1e6 }).peakBytes).toBe(plain.peakBytes);
    // refused with the LoRA, fits without it: the sentence says so
    const refused = decideMemory(SD15, { ...job, loraMergeBytes: merge }, plain.peakBytes + 1e8);
    expect(refused.run ? '' : refused.sentence).toMatch(/^needs ≈\d+\.\d GB, \d+\.\d GB free: try without LoRAs$/);
  });

  it('reads a faked free-memory figure from ATELIER_FREE_MEMORY', () => {
    expect(parseByteSize('6GB')).toBe(6e9);
    expect(parseByteSize('1.5 GiB')).toBe(1.5 * 2 ** 30);
    expect(parseByteSize('800m')).toBe(800e6);
    expect(parseByteSize('lots')).toBeUndefined();
    expect(freeMemoryBytes({ ATELIER_FREE_MEMORY: '2GB' })).toEqual({ bytes: 2e9, faked: true });
    expect(freeMemoryBytes({}).faked).toBe(false);
  });
});

describe('the engine refuses a job that cannot fit before loading anything', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('with a faked small machine', async () => {
    vi.stubEnv('ATELIER_FREE_MEMORY', '50MB');
    const engine = new Engine({ provider: 'cpu' });
    const dir = join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny');
    const settings = GenerationSettingsSchema.parse({ mode: 'txt2img', prompt: 'a red circle', negativePrompt: '', width: 64, height: 64, steps: 2, guidance: 7, scheduler: 'euler', seed: 1, batch: 1 });
    const error = await engine.generate(dir, { settings }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('out-of-memory');
    expect((error as EngineError).message).toMatch(/^needs ≈0\.\d GB, 0\.1 GB free: close other programs or use a smaller model$/);
    expect(engine.loadedModelDir).toBeUndefined();
  });
});
