import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema, SIZE_LIMITS, type GenerationSettingsInput } from '../../contract/generation.js';
import { createGray, type RgbaImage } from '../image/types.js';
import { projectRoot } from '../models/defaultModel.js';
import { Engine } from './engine.js';
import { cropTopLeft, padMask, padMirrored, recommendedSide, roundUpTo, sizeWarning, unetPixelGrid } from './sizeGrid.js';
import type { GenerateRequest } from './types.js';

const DEMO = join(projectRoot(), 'native-models', 'demo', 'atelier-shapes-128');
const SDXL = join(projectRoot(), 'native-models', 'test-models', 'sdxl-tiny');
const SD15_INPAINT = join(projectRoot(), 'native-models', 'test-models', 'sd15-inpaint-tiny');

function picture(width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set([(p % width) * 3, ((p / width) | 0) * 2, 90, 255], p * 4);
  return { width, height, data };
}

describe('sizeGrid (pure)', () => {
  it('derives the pixel grid from the UNet config: 64 for SD 1.x/SDXL, 16 for two-block test models', () => {
    expect(unetPixelGrid({ down_block_types: ['a', 'b', 'c', 'd'] })).toBe(64);
    expect(unetPixelGrid({ block_out_channels: [320, 640, 1280] })).toBe(32);
    expect(unetPixelGrid({ block_out_channels: [32, 64] })).toBe(16);
    expect(unetPixelGrid({})).toBe(64);
    expect(roundUpTo(200, 16)).toBe(208);
    expect(roundUpTo(136, 64)).toBe(192);
  });

  it('pads by mirroring at the bottom/right, pads masks with keep, and crops back exactly', () => {
    const img = picture(3, 2);
    const padded = padMirrored(img, 5, 4);
    const px = (im: RgbaImage, x: number, y: number) => [...im.data.subarray((y * im.width + x) * 4, (y * im.width + x) * 4 + 4)];
    expect(px(padded, 3, 0)).toEqual(px(img, 1, 0)); // …0 1 2 | 1 0
    expect(px(padded, 4, 0)).toEqual(px(img, 0, 0));
    expect(px(padded, 0, 2)).toEqual(px(img, 0, 0));
    expect(px(padded, 2, 3)).toEqual(px(img, 2, 1));
    expect(cropTopLeft(padded, 3, 2).data).toEqual(img.data);
    const mask = createGray(3, 2, 255);
    const pm = padMask(mask, 5, 4);
    expect([...pm.data]).toEqual([255, 255, 255, 0, 0, 255, 255, 255, 0, 0, ...new Array(10).fill(0)]);
  });

  it('warns (one sentence) only far from the model size', () => {
    expect(sizeWarning(512, 512, 512)).toBeUndefined();
    expect(sizeWarning(1024, 768, 512)).toBeUndefined();
    expect(sizeWarning(2048, 512, 512)).toMatch(/^2048×512 is much larger than this model's 512 px: .*\.$/);
    expect(sizeWarning(64, 512, 512)).toMatch(/much smaller/);
    expect(recommendedSide({ family: 'sd1', unet: { file: '', config: {} }, recommended: { width: 128, height: 128 } })).toBe(128);
    expect(recommendedSide({ family: 'sdxl', unet: { file: '', config: {} } })).toBe(1024);
  });
});

describe('every multiple of 8 from 64 to 320, both dimensions, at the exact size', () => {
  const engine = new Engine({ provider: 'cpu' });
  afterAll(() => engine.release());
  const sides: number[] = [];
  for (let v = SIZE_LIMITS.min; v <= 320; v += SIZE_LIMITS.multiple) sides.push(v);
  // Each width once and each height once, paired so both residues (mod the 16-px grid) meet each other
  // and small meets large: 33 jobs instead of 33², which still runs every side through both dimensions.
  const pairs = sides.map((w, i) => [w, sides[(i * 7 + 3) % sides.length]!] as const);

  function request(width: number, height: number, extra: Partial<GenerationSettingsInput> = {}, pixels: Partial<GenerateRequest> = {}): GenerateRequest {
    const settings = GenerationSettingsSchema.parse({
      mode: 'txt2img', prompt: 'a blue square', width, height, steps: 1, guidance: 1, scheduler: 'euler', seed: 3, ...extra,
    });
    return { settings, ...pixels };
  }

  for (const [label, dir] of [['demo model', DEMO], ['tiny SDXL', SDXL]] as const) {
    it(`${label}: txt2img at all ${sides.length} widths and heights`, async () => {
      expect(new Set(pairs.map((p) => p[1])).size).toBe(sides.length);
      for (const [w, h] of pairs) {
        const { images } = await engine.generate(dir, request(w, h));
        expect([w, h, images[0]!.image.width, images[0]!.image.height, images[0]!.image.data.length]).toEqual([w, h, w, h, w * h * 4]);
      }
    });
  }

  it('img2img, inpaint (4- and 9-channel) and outpaint-style masks at off-grid sizes; kept pixels stay exact', async () => {
    const sizes = [[200, 136], [72, 264]] as const;
    // One model after the other: switching models reloads sessions.
    for (const [w, h] of sizes) {
      const i2i = await engine.generate(DEMO, request(w, h, { mode: 'img2img', strength: 0.5, steps: 2 }, { initImage: picture(w, h) }));
      expect([i2i.images[0]!.image.width, i2i.images[0]!.image.height]).toEqual([w, h]);
    }
    for (const dir of [DEMO, SD15_INPAINT]) {
      for (const [w, h] of sizes) {
        const init = picture(w, h);
        // A mask over the right-most 24 px: the edge that padding touches.
        const mask = createGray(w, h);
        for (let y = 0; y < h; y++) for (let x = w - 24; x < w; x++) mask.data[y * w + x] = 255;
        const { images } = await engine.generate(dir, request(w, h, { mode: 'inpaint', strength: 1, steps: 1 }, { initImage: init, mask }));
        const out = images[0]!.image;
        expect([out.width, out.height]).toEqual([w, h]);
        let changedOutside = 0;
        for (let p = 0; p < w * h; p++) if (mask.data[p] === 0 && out.data[p * 4] !== init.data[p * 4]) changedOutside++;
        expect(changedOutside).toBe(0);
      }
    }
  });
});
