import { describe, expect, it } from 'vitest';
import { applyTransfer, falloffStrength, measureTransfer } from './colorMatch.js';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

describe('colour match', () => {
  it('recovers a known Lab shift and contrast loss from the ring and undoes it', () => {
    const n = 500;
    const rnd = lcg(7);
    const orig = new Float32Array(n * 3);
    const gen = new Float32Array(n * 3);
    for (let p = 0; p < n; p++) {
      const L = 40 + 30 * rnd();
      const a = -10 + 20 * rnd();
      const b = 5 + 10 * rnd();
      orig.set([L, a, b], p * 3);
      // VAE-like: 20 % contrast lost around 50, plus a tint.
      gen.set([50 + (L - 50) * 0.8 - 3, a * 0.8 + 2, b * 0.8 + 4], p * 3);
    }
    const ring = new Uint8Array(n).fill(1);
    const t = measureTransfer(orig, gen, ring, 50)!;
    expect(t.samples).toBe(n);
    // The STD_FLOOR keeps gains slightly below the exact 1/0.8; the means land exactly.
    expect(t.gain[0]).toBeGreaterThan(1.15);
    expect(t.gain[0]).toBeLessThan(1.25);
    const fixed = new Float32Array(gen);
    applyTransfer(fixed, t, () => 1);
    let errBefore = 0;
    let errAfter = 0;
    for (let i = 0; i < n * 3; i++) {
      errBefore += Math.abs(gen[i]! - orig[i]!);
      errAfter += Math.abs(fixed[i]! - orig[i]!);
    }
    expect(errAfter / (n * 3)).toBeLessThan(0.4);
    expect(errBefore / (n * 3)).toBeGreaterThan(2.5);
  });

  it('ignores the part of the ring where the model carried new content past the mask', () => {
    const n = 600;
    const rnd = lcg(3);
    const orig = new Float32Array(n * 3);
    const gen = new Float32Array(n * 3);
    for (let p = 0; p < n; p++) {
      const L = 50 + 10 * rnd();
      orig.set([L, 5 * rnd(), 10 + 5 * rnd()], p * 3);
      // 70 % of the ring: the original with a tint; the first 30 % (rows 0..5): a saturated red the model bled into it.
      if (p >= 180) gen.set([L - 3, orig[p * 3 + 1]! + 2, orig[p * 3 + 2]! + 4], p * 3);
      else gen.set([45, 60, 40], p * 3);
    }
    // Rows of 30 px: 8×8 blocks over rows 0..7 mix bled and clean pixels and are dropped whole.
    const t = measureTransfer(orig, gen, new Uint8Array(n).fill(1), 30)!;
    expect(t.samples).toBe(600 - 8 * 30);
    expect(t.toMean[1]! - t.fromMean[1]!).toBeCloseTo(-2, 1);
    expect(t.toMean[2]! - t.fromMean[2]!).toBeCloseTo(-4, 1);
  });

  it('declines to guess from a ring of too few pixels', () => {
    expect(measureTransfer(new Float32Array(30), new Float32Array(30), new Uint8Array(10).fill(1), 10)).toBeUndefined();
  });

  it('is full strength at the seam and eases to the interior strength deep inside', () => {
    expect(falloffStrength(1)).toBe(1);
    expect(falloffStrength(24)).toBe(1);
    expect(falloffStrength(60)).toBeGreaterThan(0.5);
    expect(falloffStrength(60)).toBeLessThan(1);
    expect(falloffStrength(500)).toBe(0.5);
  });
});
