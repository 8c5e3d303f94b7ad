import { describe, expect, it } from 'vitest';
import { createGray, createRgba } from '../image/types.js';
import { compositeWithWeights, featherWeights, isMaskEmpty, maskToLatentGrid } from './mask.js';

function squareMask(size: number, x0: number, y0: number, side: number) {
  const m = createGray(size, size);
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) m.data[y * size + x] = 255;
  return m;
}

describe('featherWeights', () => {
  it('is zero everywhere the user did not paint, and fades over the feather inside the edge', () => {
    const mask = squareMask(64, 16, 16, 32);
    const w = featherWeights(mask, 4);
    for (let i = 0; i < w.length; i++) if (mask.data[i] === 0) expect(w[i]).toBe(0);
    // Edge pixel: distance 1 to the outside → 1/5; five pixels in → full weight.
    expect(w[16 * 64 + 32]).toBeCloseTo(1 / 5, 5);
    expect(w[(16 + 4) * 64 + 32]).toBeCloseTo(1, 5);
    expect(w[32 * 64 + 32]).toBe(1);
    // Monotone from the edge inwards.
    for (let y = 16; y < 21; y++) expect(w[(y + 1) * 64 + 32]!).toBeGreaterThanOrEqual(w[y * 64 + 32]!);
  });

  it('with feather 0 is the binary mask; soft brush values scale it', () => {
    const mask = squareMask(16, 4, 4, 8);
    mask.data[8 * 16 + 8] = 128;
    const w = featherWeights(mask, 0);
    expect(w[5 * 16 + 5]).toBe(1);
    expect(w[8 * 16 + 8]).toBeCloseTo(128 / 255, 6);
    expect(w[0]).toBe(0);
  });
});

describe('compositeWithWeights', () => {
  it('keeps every unmasked pixel byte-identical and takes the generated pixels where weight is 1', () => {
    const size = 32;
    const original = createRgba(size, size);
    for (let i = 0; i < original.data.length; i++) original.data[i] = (i * 37) % 256;
    const generated = createRgba(size, size, [10, 200, 30, 255]);
    const mask = squareMask(size, 8, 8, 16);
    const out = compositeWithWeights(original, generated, featherWeights(mask, 3));
    for (let p = 0; p < size * size; p++) {
      if (mask.data[p] === 0) {
        expect(Array.from(out.data.subarray(p * 4, p * 4 + 4))).toEqual(Array.from(original.data.subarray(p * 4, p * 4 + 4)));
      }
    }
    const centre = (16 * size + 16) * 4;
    expect(Array.from(out.data.subarray(centre, centre + 4))).toEqual([10, 200, 30, 255]);
  });
});

describe('maskToLatentGrid', () => {
  it('marks every 8×8 cell that any masked pixel touches', () => {
    const mask = createGray(32, 32);
    mask.data[9 * 32 + 15] = 255; // cell (1, 1)
    mask.data[31 * 32 + 31] = 200; // cell (3, 3)
    const grid = maskToLatentGrid(mask);
    expect(Array.from(grid)).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(isMaskEmpty(mask)).toBe(false);
    expect(isMaskEmpty(createGray(8, 8, 127))).toBe(true);
  });
});
