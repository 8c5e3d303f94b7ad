import { describe, expect, it } from 'vitest';
import { createRgba } from '../../image/types.js';
import { EngineError } from '../types.js';
import { EMPTY_ALPHA, growCanvas, hasEmptyPixels, outpaintInputs, parseExtend } from './outpaint.js';
import { pasteBack } from './seamless.js';
import { seamScore } from '../../../testing/inpaint/seamMetrics.js';
import { makeScene, SCENE_KINDS, simulateGenerated } from '../../../testing/inpaint/simulate.js';

describe('parseExtend', () => {
  it('reads SIDE:PX lists and sums repeats', () => {
    expect(parseExtend('right:128')).toEqual({ left: 0, right: 128, top: 0, bottom: 0 });
    expect(parseExtend('left:64, top:8,left:8')).toEqual({ left: 72, right: 0, top: 8, bottom: 0 });
  });
  it('refuses anything else with one sentence', () => {
    for (const bad of ['', 'right', 'up:64', 'right:-8', 'right:12', 'right:0']) {
      expect(() => parseExtend(bad)).toThrow(EngineError);
    }
    expect(() => parseExtend('right:12')).toThrow('--extend: right 12 px is not a multiple of 8');
  });
});

describe('growCanvas + outpaintInputs', () => {
  it('places the picture unchanged, masks exactly the new area, and fills it from the edge colours', () => {
    const pic = createRgba(16, 8, [200, 40, 30, 255]);
    const { image, mask } = growCanvas(pic, { left: 8, right: 0, top: 0, bottom: 16 });
    expect([image.width, image.height]).toEqual([24, 24]);
    expect(hasEmptyPixels(image)).toBe(true);
    expect([...image.data.subarray((0 * 24 + 8) * 4, (0 * 24 + 8) * 4 + 4)]).toEqual([200, 40, 30, 255]);
    expect(mask.data[0]).toBe(255);
    expect(mask.data[8]).toBe(0);
    expect(mask.data[9 * 24 + 12]).toBe(255);
    const filled = outpaintInputs(image, { width: 24, height: 24, data: new Uint8Array(24 * 24) });
    // The empty pixels join the mask even when the given mask left them out…
    expect([...filled.mask.data]).toEqual([...mask.data]);
    // …and are opaque continuations of the picture, never grey or black.
    for (let p = 0; p < 24 * 24; p++) {
      expect(filled.image.data[p * 4 + 3]).toBe(255);
      expect(Math.abs(filled.image.data[p * 4]! - 200)).toBeLessThanOrEqual(1);
    }
  });

  it('leaves an image without empty pixels alone', () => {
    const pic = createRgba(8, 8, [1, 2, 3, EMPTY_ALPHA]);
    const mask = { width: 8, height: 8, data: new Uint8Array(64).fill(255) };
    const r = outpaintInputs(pic, mask);
    expect(r.image).toBe(pic);
    expect(r.mask).toBe(mask);
  });

  it('removes the grey seam: line ΔE and gradient ratio near the untouched scene on every procedural scene', () => {
    for (const kind of SCENE_KINDS) {
      const scene = makeScene(kind, 160, 128, 3);
      const crop = { width: 112, height: 128, data: new Uint8Array(112 * 128 * 4) };
      for (let y = 0; y < 128; y++) crop.data.set(scene.data.subarray(y * 160 * 4, (y * 160 + 112) * 4), y * 112 * 4);
      const grown = growCanvas(crop, { left: 0, right: 48, top: 0, bottom: 0 });
      const gen = simulateGenerated(scene, kind, grown.mask, 16, 11);
      const flatGrey = new Uint8Array(grown.image.data);
      for (let i = 0; i < flatGrey.length; i += 4) if (flatGrey[i + 3] === 0) flatGrey.set([128, 128, 128, 255], i);
      const before = seamScore(pasteBack({ width: 160, height: 128, data: flatGrey }, gen, grown.mask), grown.mask);
      const filled = outpaintInputs(grown.image, grown.mask);
      const result = pasteBack(filled.image, gen, filled.mask);
      const after = seamScore(result, grown.mask);
      expect(after.gradientRatio, kind).toBeLessThan(1.5);
      expect(after.lineDeltaE, kind).toBeLessThan(before.lineDeltaE / 1.5);
      expect(before.gradientRatio, kind).toBeGreaterThan(2.5);
      // The old picture's pixels are byte-identical.
      for (let y = 0; y < 128; y++) expect(result.data.subarray(y * 160 * 4, (y * 160 + 112) * 4)).toEqual(crop.data.subarray(y * 112 * 4, (y + 1) * 112 * 4));
    }
  });
});
