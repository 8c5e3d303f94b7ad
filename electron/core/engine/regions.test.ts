import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema, type GenerationSettingsInput, type Region } from '../../contract/generation.js';
import { findObjects } from '../../../native-models/demo/analyse.js';
import { createGray, type RgbaImage } from '../image/types.js';
import { projectRoot } from '../models/defaultModel.js';
import { Engine } from './engine.js';
import { combineBranches, regionWeights } from './regions.js';
import { EngineError, type GenerateRequest } from './types.js';

const SD15 = join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny');
const SD15_INPAINT = join(projectRoot(), 'native-models', 'test-models', 'sd15-inpaint-tiny');
const DEMO = join(projectRoot(), 'native-models', 'demo', 'atelier-shapes-128');
const engine = new Engine({ provider: 'cpu' });
afterAll(() => engine.release());

const region = (x: number, y: number, width: number, height: number, prompt = 'r'): Region => ({ x, y, width, height, prompt });

describe('region weights on the latent grid', () => {
  it('gives each cell to the regions covering it, the base the rest, summing to 1', () => {
    const { base, regions } = regionWeights([region(0, 0, 32, 64), region(20, 0, 12, 8)], 64, 64, 8, 8);
    // cell (0,0): only the first region
    expect([base[0], regions[0]![0], regions[1]![0]]).toEqual([0, 1, 0]);
    // cell (2,0) covers x 16..24: region 1 fully, region 2 half (x 20..24) → averaged
    expect(regions[0]![2]).toBeCloseTo(1 / 1.5, 6);
    expect(regions[1]![2]).toBeCloseTo(0.5 / 1.5, 6);
    // right half: base only
    expect([base[7], regions[0]![7], regions[1]![7]]).toEqual([1, 0, 0]);
    for (let p = 0; p < 64; p++) expect(base[p]! + regions[0]![p]! + regions[1]![p]!).toBeCloseTo(1, 6);
  });

  it('a region off the grid shares its edge cells with the base', () => {
    const { base, regions } = regionWeights([region(0, 0, 12, 8)], 16, 8, 2, 1);
    expect([regions[0]![0], base[0]]).toEqual([1, 0]);
    expect([regions[0]![1], base[1]]).toEqual([0.5, 0.5]);
  });

  it('one branch covering everything is plain classifier-free guidance', () => {
    const pred = Float32Array.from({ length: 8 }, (_, i) => i / 10);
    const eps = combineBranches(pred, [{ uncond: 0, cond: 1, weight: new Float32Array([1]) }], 7, 1);
    expect(Array.from(eps)).toEqual(Array.from({ length: 4 }, (_, k) => Math.fround(pred[k]! + 7 * (pred[4 + k]! - pred[k]!))));
  });
});

function request(overrides: Partial<GenerationSettingsInput>, extra: Partial<GenerateRequest> = {}): GenerateRequest {
  const settings = GenerationSettingsSchema.parse({
    mode: 'txt2img', prompt: 'grass', width: 64, height: 64, steps: 3, guidance: 7, scheduler: 'euler', seed: 5, ...overrides,
  });
  return { settings, ...extra };
}

function diffCount(a: RgbaImage, b: RgbaImage, inside: (x: number, y: number) => boolean): number {
  let n = 0;
  for (let y = 0; y < a.height; y++) for (let x = 0; x < a.width; x++) {
    const i = (y * a.width + x) * 4;
    if (inside(x, y) && (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2])) n++;
  }
  return n;
}

describe('regional prompts in the engine', () => {
  it('txt2img: deterministic, and the region prompt changes the picture', async () => {
    const regions = [region(0, 0, 32, 64, 'a red circle'), region(32, 0, 32, 64, 'a blue square')];
    const a = (await engine.generate(SD15, request({ regions }))).images[0]!.image;
    const b = (await engine.generate(SD15, request({ regions }))).images[0]!.image;
    const plain = (await engine.generate(SD15, request({}))).images[0]!.image;
    expect(diffCount(a, b, () => true)).toBe(0);
    expect(diffCount(a, plain, () => true)).toBeGreaterThan(0);
    // with guidance off too, and a region with its own negative
    const noGuidance = await engine.generate(SD15, request({ guidance: 1, regions: [{ ...regions[0]!, negativePrompt: 'blurry' }] }));
    expect(noGuidance.images).toHaveLength(1);
  });

  it('img2img and inpaint take regions; inpaint still leaves unmasked pixels alone', async () => {
    const init = (await engine.generate(SD15, request({ seed: 9 }))).images[0]!.image;
    const regions = [region(0, 0, 32, 32, 'a red circle')];
    const i2i = await engine.generate(SD15, request({ mode: 'img2img', strength: 0.6, regions }, { initImage: init }));
    expect(i2i.images[0]!.image.width).toBe(64);
    const mask = createGray(64, 64);
    for (let y = 0; y < 32; y++) mask.data.fill(255, y * 64, y * 64 + 32);
    const inpaint = (await engine.generate(SD15_INPAINT, request({ mode: 'inpaint', strength: 1, regions }, { initImage: init, mask }))).images[0]!.image;
    expect(diffCount(inpaint, init, (x, y) => x >= 40 || y >= 40)).toBe(0);
  });

  it('says plainly when a region lies outside the image', async () => {
    const err = await engine.generate(SD15, request({ regions: [region(64, 0, 10, 10)] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toBe('region 1 (64,0 10×10) lies outside the 64×64 image');
  });

  it('demo model: red circle left and blue square right over "blue sky" (bench regions runs 40 seeds)', async () => {
    const halves = [region(0, 0, 64, 128, 'a large red circle'), region(64, 0, 64, 128, 'a large blue square')];
    let hits = 0;
    for (const seed of [0, 1, 2, 3]) {
      const settings = GenerationSettingsSchema.parse({ mode: 'txt2img', prompt: 'blue sky', width: 128, height: 128, steps: 20, guidance: 5, scheduler: 'euler', seed, regions: halves });
      const objects = findObjects((await engine.generate(DEMO, { settings })).images[0]!.image);
      const red = objects.find((o) => o.colour === 'red');
      const blue = objects.find((o) => o.colour === 'blue');
      hits += Number(!!red && red.cx < 0.5 && !!blue && blue.cx > 0.5);
    }
    expect(hits).toBeGreaterThanOrEqual(3);
  });
});
