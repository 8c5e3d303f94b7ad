import { cpSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema, type GenerationSettingsInput } from '../../contract/generation.js';
import { createGray, type RgbaImage } from '../image/types.js';
import { projectRoot } from '../models/defaultModel.js';
import { Engine } from './engine.js';
import { EngineError, type GenerateRequest, type StepProgress } from './types.js';

const MODELS = join(projectRoot(), 'native-models', 'test-models');
const SD15 = join(MODELS, 'sd15-tiny');
const SD15_INPAINT = join(MODELS, 'sd15-inpaint-tiny');
const SDXL = join(MODELS, 'sdxl-tiny');

const engine = new Engine({ provider: 'cpu' });
afterAll(() => engine.release());

function request(overrides: Partial<GenerationSettingsInput> = {}, extra: Partial<GenerateRequest> = {}): GenerateRequest {
  const settings = GenerationSettingsSchema.parse({
    mode: 'txt2img', prompt: 'a red circle', negativePrompt: '', width: 64, height: 64,
    steps: 3, guidance: 7, scheduler: 'euler-a', seed: 7, batch: 1, ...overrides,
  });
  return { settings, ...extra };
}

function checker(size: number): RgbaImage {
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const on = ((x >> 3) + (y >> 3)) % 2 === 0;
      data.set(on ? [230, 40, 40, 255] : [20, 60, 200, 255], i);
    }
  }
  return { width: size, height: size, data };
}

function squareMask(size: number, x0: number, y0: number, side: number) {
  const m = createGray(size, size);
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) m.data[y * size + x] = 255;
  return m;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe('Engine on the tiny SD 1.5 layout', () => {
  it('generates a deterministic image per seed and reports progress per step', async () => {
    const steps: StepProgress[] = [];
    const a = await engine.generate(SD15, request(), { onProgress: (p) => steps.push(p) });
    const b = await engine.generate(SD15, request());
    const c = await engine.generate(SD15, request({ seed: 8 }));
    expect(a.images).toHaveLength(1);
    const img = a.images[0]!.image;
    expect([img.width, img.height, img.data.length]).toEqual([64, 64, 64 * 64 * 4]);
    expect(bytesEqual(img.data, b.images[0]!.image.data)).toBe(true);
    expect(bytesEqual(img.data, c.images[0]!.image.data)).toBe(false);
    expect(steps.map((s) => s.done)).toEqual([1, 2, 3]);
    expect(a.provider).toBe('CPU');
    // Not a flat picture: the pipeline really ran the decoder on varied latents.
    expect(new Set(Array.from(img.data.filter((_, i) => i % 4 === 0))).size).toBeGreaterThan(10);
    expect(a.timings.denoiseMs).toBeGreaterThan(0);
  });

  it('runs every scheduler, with and without guidance', async () => {
    for (const scheduler of ['euler', 'euler-a', 'ddim', 'dpmpp-2m', 'dpmpp-2m-karras', 'lcm'] as const) {
      for (const guidance of [1, 7]) {
        const r = await engine.generate(SD15, request({ scheduler, guidance, steps: 4 }));
        expect(r.images[0]!.image.data.length).toBe(64 * 64 * 4);
      }
    }
  });

  it('makes a batch with consecutive seeds, each equal to a single run of that seed', async () => {
    const batch = await engine.generate(SD15, request({ batch: 2, seed: 100 }));
    expect(batch.images.map((i) => i.seed)).toEqual([100, 101]);
    const single = await engine.generate(SD15, request({ seed: 101 }));
    expect(bytesEqual(batch.images[1]!.image.data, single.images[0]!.image.data)).toBe(true);
  });

  it('img2img runs only the strength part of the schedule', async () => {
    const steps: number[] = [];
    const init = checker(64);
    const r = await engine.generate(SD15, request({ mode: 'img2img', steps: 10, strength: 0.3 }, { initImage: init }), {
      onProgress: (p) => steps.push(p.total),
    });
    expect(steps).toEqual([3, 3, 3]);
    expect(r.images[0]!.image.width).toBe(64);
  });

  it('inpaint by latent blend keeps every unmasked pixel byte-identical', async () => {
    const init = checker(64);
    const mask = squareMask(64, 16, 16, 24);
    const r = await engine.generate(SD15, request({ mode: 'inpaint', strength: 1 }, { initImage: init, mask }));
    const out = r.images[0]!.image;
    let changedInside = 0;
    for (let p = 0; p < 64 * 64; p++) {
      const same = bytesEqual(out.data.subarray(p * 4, p * 4 + 4), init.data.subarray(p * 4, p * 4 + 4));
      if (mask.data[p] === 0) expect(same).toBe(true);
      else if (!same) changedInside++;
    }
    expect(changedInside).toBeGreaterThan(24 * 24 * 0.5);
  });

  it('cancels between steps with a cancelled error', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = engine.generate(SD15, request({ steps: 8 }), {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.done);
        if (p.done === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen).toEqual([1, 2]);
  });

  it('sends small previews when asked', async () => {
    const previews: RgbaImage[] = [];
    await engine.generate(SD15, { ...request({ steps: 4 }), previewEvery: 1 }, {
      onProgress: (p) => p.preview && previews.push(p.preview),
    });
    expect(previews.length).toBe(3); // every step but the last, whose result is the image itself
    for (const p of previews) expect(Math.max(p.width, p.height)).toBeLessThanOrEqual(128);
  });

  it('rejects bad sizes and mismatched masks with clear messages', async () => {
    await expect(engine.generate(SD15, { settings: { ...request().settings, width: 100 } })).rejects.toThrow(/multiple of 8/);
    await expect(
      engine.generate(SD15, request({ mode: 'inpaint' }, { initImage: checker(64), mask: createGray(32, 32, 255) })),
    ).rejects.toThrow(/mask is 32×32/);
    await expect(engine.generate(SD15, request({ mode: 'inpaint' }, { initImage: checker(64), mask: createGray(64, 64) }))).rejects.toThrow(
      /mask is empty/,
    );
  });
});

describe('Engine adapts to what other exports declare', () => {
  it('9-channel inpainting UNet with int64 timestep and an 8-channel VAE encoder', async () => {
    const init = checker(64);
    const mask = squareMask(64, 8, 8, 32);
    const info = await engine.inspect(SD15_INPAINT);
    expect(info.inpainting).toBe('unet-9-channel');
    const r = await engine.generate(SD15_INPAINT, request({ mode: 'inpaint', strength: 1 }, { initImage: init, mask }));
    const out = r.images[0]!.image;
    for (let p = 0; p < 64 * 64; p++) {
      if (mask.data[p] === 0) expect(bytesEqual(out.data.subarray(p * 4, p * 4 + 4), init.data.subarray(p * 4, p * 4 + 4))).toBe(true);
    }
  });

  it('SDXL layout: two encoders, pooled embeds, time ids, scalar timestep, external weights', async () => {
    const info = await engine.inspect(SDXL);
    expect(info.family).toBe('sdxl');
    const a = await engine.generate(SDXL, request({ scheduler: 'euler', width: 64, height: 96 }));
    const b = await engine.generate(SDXL, request({ scheduler: 'euler', width: 64, height: 96 }));
    expect([a.images[0]!.image.width, a.images[0]!.image.height]).toEqual([64, 96]);
    expect(bytesEqual(a.images[0]!.image.data, b.images[0]!.image.data)).toBe(true);
  });

  it('explains a broken model folder in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atelier-broken-'));
    try {
      cpSync(SD15, dir, { recursive: true });
      truncateSync(join(dir, 'unet', 'model.onnx'), 1000);
      const broken = new Engine({ provider: 'cpu' });
      const error = await broken.generate(dir, request()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineError);
      // Caught at inspect now (the ONNX headers are read before any session): one line naming the part.
      expect((error as EngineError).message).toMatch(/^unet\/model\.onnx is not a readable ONNX model \(.+\)$/);
      rmSync(join(dir, 'model_index.json'));
      await expect(broken.inspect(dir)).rejects.toThrow(/model_index.json is missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
