import { describe, expect, it } from 'vitest';
import { createGray, createRgba } from '../../core/image/types.js';
import { seamScore } from './seamMetrics.js';

function squareMask(size: number, x0: number, x1: number) {
  const m = createGray(size, size);
  for (let y = x0; y < x1; y++) for (let x = x0; x < x1; x++) m.data[y * size + x] = 255;
  return m;
}

describe('seamScore', () => {
  it('scores an untouched flat image as seamless: ΔE 0, gradient ratio 1', () => {
    const img = createRgba(96, 96, [120, 130, 140, 255]);
    const s = seamScore(img, squareMask(96, 30, 70));
    expect(s.ringDeltaE).toBe(0);
    expect(s.gradientRatio).toBe(1);
  });

  it('sees a colour step at the mask edge, and a bigger one as worse', () => {
    const mask = squareMask(96, 30, 70);
    const step = (delta: number) => {
      const img = createRgba(96, 96, [120, 130, 140, 255]);
      for (let p = 0; p < 96 * 96; p++) if (mask.data[p]) img.data[p * 4 + 2] = 140 + delta;
      return seamScore(img, mask);
    };
    const small = step(6);
    const big = step(20);
    expect(small.ringDeltaE).toBeGreaterThan(1);
    expect(big.ringDeltaE).toBeGreaterThan(small.ringDeltaE);
    expect(small.gradientRatio).toBeGreaterThan(1.5);
    expect(big.gradientRatio).toBeGreaterThan(small.gradientRatio);
  });
});
