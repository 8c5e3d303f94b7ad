import { describe, expect, it } from 'vitest';
import { createGray, createRgba, type RgbaImage } from '../../image/types.js';
import { measureTransfer } from './colorMatch.js';
import { pasteBack } from './seamless.js';

/** Grass with a red disc; the mask cuts the disc. The "generated" image: grass everywhere (the disc not
 * continued), slightly tinted, and a blue square in the middle of the mask — what the prompt asked for. */
function scene(): { original: RgbaImage; generated: RgbaImage; mask: ReturnType<typeof createGray> } {
  const S = 128;
  const original = createRgba(S, S, [60, 140, 60, 255]);
  const generated = createRgba(S, S, [66, 146, 58, 255]);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      if ((x - 50) ** 2 + (y - 56) ** 2 < 26 ** 2) original.data.set([210, 40, 40, 255], (y * S + x) * 4);
      if (x >= 72 && x < 88 && y >= 48 && y < 64) generated.data.set([40, 60, 220, 255], (y * S + x) * 4);
    }
  }
  const mask = createGray(S, S);
  for (let y = 32; y < 80; y++) for (let x = 56; x < 104; x++) mask.data[y * S + x] = 255;
  return { original, generated, mask };
}

describe('colour match keeps the colour asked for', () => {
  it('limits the region-wide transfer to a tint; the full one is kept for the edge', () => {
    const n = 64;
    const orig = new Float32Array(n * 3);
    const gen = new Float32Array(n * 3);
    for (let p = 0; p < n; p++) {
      // The ring shifted by 15 in a (more than any VAE tint, less than the new-content cut-off).
      orig.set([50, -25 + (p % 3), 40], p * 3);
      gen.set([52, -40 + (p % 3), 42], p * 3);
    }
    const ring = new Uint8Array(n).fill(1);
    const tint = measureTransfer(orig, gen, ring, 8, 'tint')!;
    const full = measureTransfer(orig, gen, ring, 8, 'full')!;
    expect(Math.hypot(tint.toMean[1] - tint.fromMean[1], tint.toMean[2] - tint.fromMean[2])).toBeLessThanOrEqual(6 + 1e-6);
    expect(tint.gain[1]).toBeGreaterThanOrEqual(1);
    expect(full.toMean[1] - full.fromMean[1]).toBeCloseTo(15, 3);
  });

  it('a blue square painted where the mask cuts a red disc stays blue (was pulled towards purple)', () => {
    const { original, generated, mask } = scene();
    const out = pasteBack(original, generated, mask);
    const at = (x: number, y: number) => [...out.data.subarray((y * 128 + x) * 4, (y * 128 + x) * 4 + 3)];
    const [r, g, b] = at(80, 56);
    expect(b).toBeGreaterThan(180);
    expect(r).toBeLessThan(80);
    expect(g).toBeLessThan(100);
    // Outside the mask nothing changed.
    expect(at(20, 20)).toEqual([60, 140, 60]);
  });
});
