import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../image/types.js';
import { projectRoot } from '../../models/defaultModel.js';
import { OnnxUpscaler } from './onnxUpscaler.js';
import { tiledUpscale, upscaleToImage } from './tiledUpscale.js';

const MODELS = join(projectRoot(), 'native-models', 'test-models');

/** A photo-like test picture: smooth gradients, hard edges and seeded noise, opaque. */
function testPicture(width: number, height: number, seed = 7): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  let s = seed >>> 0;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      const edge = (x * 3 + y * 5) % 97 < 40 ? 60 : 0;
      data[p] = Math.min(255, (x * 255) / width + edge * 0.5 + rand() * 20);
      data[p + 1] = Math.min(255, (y * 255) / height + rand() * 20);
      data[p + 2] = Math.min(255, 128 + 100 * Math.sin(x / 17) * Math.cos(y / 23) + rand() * 10);
      data[p + 3] = 255;
    }
  }
  return { width, height, data };
}

/** Bilinear ×4 (pixel centres, edge pixels repeated), alpha kept opaque. */
function bilinearX4(img: RgbaImage): RgbaImage {
  const S = 4;
  const w = img.width * S;
  const h = img.height * S;
  const data = new Uint8Array(w * h * 4);
  const at = (x: number, y: number, c: number) => img.data[(Math.min(img.height - 1, Math.max(0, y)) * img.width + Math.min(img.width - 1, Math.max(0, x))) * 4 + c]!;
  for (let y = 0; y < h; y++) {
    const fy = (y + 0.5) / S - 0.5;
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = (x + 0.5) / S - 0.5;
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const v = (at(x0, y0, c) * (1 - tx) + at(x0 + 1, y0, c) * tx) * (1 - ty) + (at(x0, y0 + 1, c) * (1 - tx) + at(x0 + 1, y0 + 1, c) * tx) * ty;
        data[(y * w + x) * 4 + c] = Math.round(v);
      }
      data[(y * w + x) * 4 + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}

function maxDiff(a: RgbaImage, b: RgbaImage): number {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

describe('ONNX upscalers, model-agnostic', () => {
  let linear: OnnxUpscaler;
  beforeAll(async () => {
    linear = await OnnxUpscaler.load(join(MODELS, 'upscale-linear-x4'), 'cpu');
  });
  afterAll(async () => linear.release());

  it('reads the scale by a probe run when the output dims are symbolic', () => {
    expect(linear.info).toMatchObject({ scale: 4, scaleFrom: 'probe', range: [0, 1], inputType: 'float32', fixed: undefined });
  });

  it('reads the scale from declared shapes, the range from upscaler.json, and runs float16 I/O', async () => {
    const fixed = await OnnxUpscaler.load(join(MODELS, 'upscale-shuffle-x2-fixed'), 'cpu');
    try {
      expect(fixed.info).toMatchObject({ scale: 2, scaleFrom: 'shapes', range: [-1, 1], inputType: 'float16', fixed: { width: 64, height: 64 } });
      // Smaller than the fixed tile: padded by edge pixels, cropped back to exactly 2×.
      const small = await upscaleToImage(testPicture(50, 37), fixed, { tile: 512, overlap: 16 });
      expect([small.width, small.height]).toEqual([100, 74]);
      // Larger: tiles of exactly 64 px, the same net (float32 twin) gives the same pixels within fp16 rounding.
      const shuffle = await OnnxUpscaler.load(join(MODELS, 'upscale-shuffle-x2'), 'cpu');
      const pic = testPicture(150, 97);
      const a = await upscaleToImage(pic, fixed, { tile: 512, overlap: 16 });
      const b = await upscaleToImage(pic, shuffle, { tile: 512, overlap: 16 });
      await shuffle.release();
      expect([a.width, a.height]).toEqual([300, 194]);
      expect(maxDiff(a, b)).toBeLessThanOrEqual(3);
    } finally {
      await fixed.release();
    }
  });

  it('tiled (128 px, overlap 16) equals untiled within 2 levels on 1000×700, at exactly 4000×2800', async () => {
    // The untiled run of this model is bilinear ×4 with edge pixels repeated (its weights are fixed; the
    // recipe builds them): computed here in plain JS, since one 4000×2800 ONNX run costs more than the
    // whole tiled job. The literal untiled ONNX run is compared on a smaller picture below.
    const pic = testPicture(1000, 700);
    const progress: number[] = [];
    const tiled = await upscaleToImage(pic, linear, { tile: 128, overlap: 16, onProgress: (p) => progress.push(p.done / p.total) });
    expect([tiled.width, tiled.height]).toEqual([4000, 2800]);
    expect(maxDiff(tiled, bilinearX4(pic))).toBeLessThanOrEqual(2);
    expect(progress.length).toBe(9 * 7);
    expect(progress.at(-1)).toBe(1);
  }, 60_000);

  it('tiled equals one untiled ONNX run within 2 levels (odd size, 333×257, tile 64, overlap 16)', async () => {
    const pic = testPicture(333, 257);
    const tiled = await upscaleToImage(pic, linear, { tile: 64, overlap: 16 });
    const whole = await upscaleToImage(pic, linear, { tile: 400, overlap: 16 });
    expect([whole.width, whole.height]).toEqual([1332, 1028]);
    expect(maxDiff(tiled, whole)).toBeLessThanOrEqual(2);
  });

  it('without blending margins the same tiles would show: zero overlap differs at tile edges', async () => {
    // 256 = 2 × 128: the two tiles meet edge to edge, so each one's zero padding shows.
    const pic = testPicture(256, 200);
    const whole = await upscaleToImage(pic, linear, { tile: 256, overlap: 0 });
    const cut = await upscaleToImage(pic, linear, { tile: 128, overlap: 0 });
    expect(maxDiff(cut, whole)).toBeGreaterThan(20);
  });

  it('emits every row once, in order, and resamples alpha', async () => {
    const pic = testPicture(90, 61);
    for (let i = 3; i < pic.data.length; i += 4) pic.data[i] = (i >> 2) % 90 < 45 ? 0 : 255;
    const seen: number[] = [];
    const rows: Uint8Array[] = [];
    await tiledUpscale(pic, linear, { tile: 32, overlap: 8 }, (chunk, y, count) => {
      seen.push(y, count);
      rows.push(chunk);
    });
    let next = 0;
    for (let i = 0; i < seen.length; i += 2) {
      expect(seen[i]).toBe(next);
      next += seen[i + 1]!;
    }
    expect(next).toBe(61 * 4);
    const first = rows[0]!;
    expect(first[3]).toBe(0); // left half transparent
    expect(first[(359) * 4 + 3]).toBe(255); // right edge opaque
  });

  it('cancels between tiles', async () => {
    const controller = new AbortController();
    let tiles = 0;
    const job = upscaleToImage(testPicture(300, 300), linear, {
      tile: 64, overlap: 8, signal: controller.signal,
      onProgress: () => {
        tiles++;
        controller.abort();
      },
    });
    await expect(job).rejects.toThrow('cancelled');
    expect(tiles).toBe(1);
  });

  it('refuses a model that is not an upscaler in one sentence', async () => {
    await expect(OnnxUpscaler.load(join(MODELS, 'sd15-tiny', 'unet'), 'cpu')).rejects.toThrow(/is not an image upscaler: it should take one NCHW float image/);
    await expect(OnnxUpscaler.load(join(MODELS, 'nothing-here'), 'cpu')).rejects.toThrow('upscaler not found');
  });
});
