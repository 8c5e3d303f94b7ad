import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../image/types.js';
import { projectRoot } from '../../models/defaultModel.js';
import { Engine } from '../engine.js';
import { refineTileCount, refineTiled, regionsForTile } from './refine.js';
import { tileBorderScore, tileCutMask } from '../../../testing/upscale/tileSeams.js';
import { runUpscale } from './upscaleJob.js';

const MODELS = join(projectRoot(), 'native-models', 'test-models');

function smooth(width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      data.set([80 + (x * 100) / width, 60 + (y * 120) / height, 140 + 40 * Math.sin(x / 30 + y / 45), 255], p);
    }
  }
  return { width, height, data };
}

/** Refine settings for the tiny model (the engine sets each tile's size). */
const img2img = (o: { prompt: string; steps: number; guidance: number; seed: number; strength: number }) => ({
  mode: 'img2img' as const, negativePrompt: '', width: 64, height: 64, scheduler: 'euler' as const, batch: 1, maskFeather: 4, ...o,
});

/** A stand-in repaint whose tiles disagree, as SD tiles do: each tile shifts colour by its own amount. */
const disagreeing = async ({ index, image }: { index: number; image: RgbaImage }): Promise<RgbaImage> => {
  const data = Uint8Array.from(image.data);
  const shift = ((index * 37) % 5) * 8 - 16;
  for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) data[i + c] = Math.min(255, Math.max(0, data[i + c]! + shift));
  return { width: image.width, height: image.height, data };
};

describe('tiled refine', () => {
  it('blends disagreeing tiles so the cut lines carry no edge of their own; a hard cut shows them', async () => {
    const img = smooth(300, 220);
    const tiling = { tile: 128, overlap: 32 };
    const blended = await refineTiled(img, tiling, disagreeing);
    const hard = await refineTiled(img, { ...tiling, blend: false }, disagreeing);
    const before = tileBorderScore(img, 128, 32).gradientRatio;
    const withBlend = tileBorderScore(blended, 128, 32).gradientRatio;
    const withoutBlend = tileBorderScore(hard, 128, 32).gradientRatio;
    expect(withoutBlend).toBeGreaterThan(3);
    expect(withBlend).toBeLessThan(before + 0.3);
    expect(refineTileCount(300, 220, tiling)).toBe(3 * 2);
  });

  it('the cut mask puts a mask edge on every cut line', () => {
    const mask = tileCutMask(300, 220, 128, 32);
    // Tiles at x = 0, 86, 172: cuts in the middle of the shared strips, x = 107 and 193; y: tiles 0, 92, cut 110.
    expect(mask.data[5 * 300 + 106]).toBe(0);
    expect(mask.data[5 * 300 + 107]).toBe(255);
    expect(mask.data[5 * 300 + 193]).toBe(0);
    expect(mask.data[110 * 300 + 5]).toBe(255);
    expect(mask.data[110 * 300 + 107]).toBe(0);
  });

  it('regions of the upscaled image go to the tiles they touch, scaled, clipped and tile-relative', () => {
    const regions = [{ x: 10, y: 10, width: 20, height: 10, prompt: 'a boat', negativePrompt: 'fog' }];
    // ×4: the region covers 40..120 × 40..80 of the output.
    expect(regionsForTile(regions, 4, 4, { x: 0, y: 0, width: 64, height: 64 })).toEqual([{ x: 40, y: 40, width: 24, height: 24, prompt: 'a boat', negativePrompt: 'fog' }]);
    expect(regionsForTile(regions, 4, 4, { x: 48, y: 48, width: 64, height: 64 })).toEqual([{ x: 0, y: 0, width: 64, height: 32, prompt: 'a boat', negativePrompt: 'fog' }]);
    expect(regionsForTile(regions, 4, 4, { x: 96, y: 0, width: 64, height: 64 })).toEqual([{ x: 0, y: 40, width: 24, height: 24, prompt: 'a boat', negativePrompt: 'fog' }]);
    expect(regionsForTile(regions, 4, 4, { x: 0, y: 80, width: 64, height: 64 })).toEqual([]);
    expect(regionsForTile(regions, 4, 4, { x: 120, y: 0, width: 64, height: 64 })).toEqual([]);
  });

  it('refine uses the regional prompts: the tiles a region touches change, the others stay byte for byte', async () => {
    const engine = new Engine({ provider: 'cpu' });
    try {
      const settings = img2img({ prompt: 'a calm sea', steps: 3, guidance: 5, seed: 4, strength: 0.5 });
      const run = (regions?: Array<{ x: number; y: number; width: number; height: number; prompt: string }>) => runUpscale(
        { image: smooth(40, 30), upscaler: join(MODELS, 'upscale-linear-x4'), tile: 32, overlap: 8,
          refine: { modelDir: join(MODELS, 'sd15-tiny'), settings: { ...settings, ...(regions ? { regions } : {}) }, tile: 64, overlap: 16 } },
        { provider: 'cpu', generate: (d, r, o) => engine.generate(d, r, o) },
      );
      const plain = (await run()).image;
      // A region in the top-left 8×8 px of the 40×30 input: 32×32 of the 160×120 output, inside the first tile only.
      const withRegion = (await run([{ x: 0, y: 0, width: 8, height: 8, prompt: 'a burning ship' }])).image;
      const differs = (x0: number, y0: number, x1: number, y1: number) => {
        let n = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) for (let c = 0; c < 3; c++) if (plain.data[(y * 160 + x) * 4 + c] !== withRegion.data[(y * 160 + x) * 4 + c]) n++;
        return n;
      };
      expect(differs(0, 0, 32, 32)).toBeGreaterThan(32 * 32);
      // The bottom-right corner belongs to the last tile alone, which no region touches.
      expect(differs(112, 80, 160, 120)).toBe(0);
    } finally {
      await engine.release();
    }
  });

  it('refuses what cannot be refined in one sentence', async () => {
    await expect(refineTiled(smooth(60, 200), { tile: 64, overlap: 8 }, disagreeing)).rejects.toThrow('refining needs at least 64 px on each side');
    await expect(refineTiled(smooth(200, 200), { tile: 100, overlap: 8 }, disagreeing)).rejects.toThrow('multiple of 8');
  });

  it('upscale + refine through the real engine: deterministic, the asked size, progress per tile', async () => {
    const engine = new Engine({ provider: 'cpu' });
    try {
      const settings = img2img({ prompt: 'a red square', steps: 4, guidance: 1, seed: 9, strength: 0.3 });
      const progress: string[] = [];
      const run = () => runUpscale(
        { image: smooth(40, 30), upscaler: join(MODELS, 'upscale-linear-x4'), tile: 32, overlap: 8, refine: { modelDir: join(MODELS, 'sd15-tiny'), settings, tile: 64, overlap: 16 } },
        { provider: 'cpu', generate: (d, r, o) => engine.generate(d, r, o) },
        { onProgress: (p) => progress.push(`${p.done}/${p.total}`) },
      );
      const a = await run();
      const b = await run();
      expect([a.image.width, a.image.height]).toEqual([160, 120]);
      expect(a.refinedTiles).toBe(3 * 3);
      expect(Buffer.compare(Buffer.from(a.image.data), Buffer.from(b.image.data))).toBe(0);
      // The upscale tiles, then the 9 refine tiles, counted 1..total; the second run counts again from 1.
      const total = progress.length / 2;
      expect(total).toBeGreaterThan(9);
      expect(progress).toEqual([...Array.from({ length: total }, (_, i) => `${i + 1}/${total}`), ...Array.from({ length: total }, (_, i) => `${i + 1}/${total}`)]);
    } finally {
      await engine.release();
    }
  });
});
