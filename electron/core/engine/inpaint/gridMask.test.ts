import { describe, expect, it } from 'vitest';
import { createGray } from '../../image/types.js';
import { maskToLatentGrid } from '../mask.js';
import { distanceTransform } from './distance.js';
import { repaintLatentMask, repaintPixelMask } from './gridMask.js';

function rectMask(w: number, h: number, x0: number, y0: number, x1: number, y1: number) {
  const m = createGray(w, h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m.data[y * w + x] = 255;
  return m;
}

describe('distanceTransform', () => {
  it('is exact Euclidean distance (checked by brute force on a random feature set)', () => {
    const w = 37;
    const h = 23;
    const f = new Uint8Array(w * h);
    let s = 12345;
    for (let i = 0; i < f.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      f[i] = s % 29 === 0 ? 1 : 0;
    }
    const d = distanceTransform(f, w, h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let best = Infinity;
        for (let j = 0; j < f.length; j++) if (f[j]) best = Math.min(best, Math.hypot((j % w) - x, Math.floor(j / w) - y));
        expect(d[y * w + x]).toBeCloseTo(best, 4);
      }
    }
  });

  it('is Infinity everywhere without features', () => {
    expect([...distanceTransform(new Uint8Array(6), 3, 2)].every((v) => v === Infinity)).toBe(true);
  });
});

describe('repaintLatentMask', () => {
  it('with margin 0 equals the grid dilation of maskToLatentGrid', () => {
    const m = rectMask(64, 48, 13, 9, 30, 21);
    expect([...repaintLatentMask(m, 0)]).toEqual([...maskToLatentGrid(m)]);
  });

  it('grows the mask by the margin and then to whole 8-px cells', () => {
    // A mask at x 20..27 (cell 2 at 16..23, cell 3 at 24..31); a 5-px margin reaches x 15..32 → cells 1..4.
    const m = rectMask(64, 64, 20, 20, 28, 28);
    const grid = repaintLatentMask(m, 5);
    const cells = (row: number) => [...grid.subarray(row * 8, row * 8 + 8)];
    expect(cells(2)).toEqual([0, 1, 1, 1, 1, 0, 0, 0]);
    expect(cells(0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    // Diagonal corner: cell (1,1) ends at (15,15), distance √(5²+5²) ≈ 7.1 > 5 from (20,20), so it stays out.
    expect(grid[1 * 8 + 1]).toBe(0);
    // Every masked pixel lies in a repainted cell, and the pixel version agrees with the cells.
    const px = repaintPixelMask(m, 5);
    for (let i = 0; i < m.data.length; i++) if (m.data[i]) expect(px.data[i]).toBe(255);
    expect(px.data[2 * 8 * 64 + 8]).toBe(255);
    expect(px.data[0]).toBe(0);
  });
});
