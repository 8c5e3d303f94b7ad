import { describe, expect, it } from 'vitest';
import { checkedPlan, MAX_UPSCALE_SIDE } from './tiledUpscale.js';
import { axisTiles, axisWeights, planTiles, streamedUpscaleBytes } from './tilePlan.js';

describe('tile plan', () => {
  it('spreads equal tiles from edge to edge with at least the asked overlap', () => {
    for (const [length, size, overlap] of [[1000, 128, 16], [700, 128, 16], [129, 128, 16], [4096, 256, 32], [333, 64, 0]] as const) {
      const { starts } = axisTiles(length, size, overlap);
      expect(starts[0]).toBe(0);
      expect(starts.at(-1)! + size).toBe(length);
      for (let i = 1; i < starts.length; i++) expect(starts[i - 1]! + size - starts[i]!).toBeGreaterThanOrEqual(overlap);
    }
    expect(axisTiles(100, 128, 16).starts).toEqual([0]);
  });

  it('weights sum to exactly 1 at every output pixel and give no weight near an inner tile edge', () => {
    for (const [length, size, overlap, scale] of [[1000, 128, 16, 4], [700, 128, 16, 2], [261, 64, 8, 3]] as const) {
      const tiles = axisTiles(length, size, overlap);
      const sum = new Float64Array(length * scale);
      tiles.starts.forEach((s, i) => {
        const w = axisWeights(tiles, i, overlap, scale);
        w.forEach((v, o) => (sum[s * scale + o]! += v));
        // The outer overlap/4 input pixels of each inner edge get zero weight (zero padding lives there).
        const margin = (overlap / 4) * scale;
        if (i > 0) for (let o = 0; o < margin; o++) expect(w[o]).toBe(0);
        if (i < tiles.starts.length - 1) for (let o = 0; o < margin; o++) expect(w[w.length - 1 - o]).toBe(0);
      });
      for (const v of sum) expect(v).toBeCloseTo(1, 6);
    }
  });

  it('states the host memory of 4096² → 16384² at tile 128 (under the 1 GiB budget) and refuses what is over it', () => {
    const x4 = { scale: 4 };
    const plan = checkedPlan(4096, 4096, x4, { tile: 128, overlap: 16 });
    expect(plan.count).toBe(37 * 37);
    // input 64 MiB + a 512-row band of 16384 px at 16 B/px (128 MiB) + tile tensors.
    expect(streamedUpscaleBytes(plan) / 2 ** 20).toBeLessThan(200);
    expect(() => checkedPlan(4096, 4096, x4, { tile: 1024, overlap: 16 })).toThrow(/needs about \d+ MB, over the 1024 MB budget; use a smaller tile/);
    expect(() => checkedPlan(4097, 64, x4, { tile: 128, overlap: 16 })).toThrow(`over the ${MAX_UPSCALE_SIDE} px limit per side`);
    expect(() => checkedPlan(64, 64, x4, { tile: 128, overlap: 64 })).toThrow('must be less than half the tile size');
    expect(() => checkedPlan(64, 64, x4, { tile: 8, overlap: 2 })).toThrow('at least 16 pixels');
  });

  it('a fixed-size model sets the tile and shrinks an overlap that would not fit', () => {
    const plan = planTiles(150, 40, 2, { tile: 512, overlap: 48, fixed: { width: 64, height: 64 } });
    expect(plan.x.size).toBe(64);
    expect(plan.y.starts).toEqual([0]);
    expect(plan.overlap).toBe(31);
  });
});
