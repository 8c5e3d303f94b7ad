import { describe, expect, it } from 'vitest';
import { createGray, type GrayImage, type RgbaImage } from '../../image/types.js';
import { compositeWithWeights, featherWeights } from '../mask.js';
import { rgbToLab, labToRgb } from './lab.js';
import { repaintPixelMask } from './gridMask.js';
import { bandWidths, DEFAULT_PASTE_BACK, pasteBack } from './seamless.js';
import { seamScore } from '../../../testing/inpaint/seamMetrics.js';
import { makeMask, makeScene, MASK_SHAPES, SCENE_KINDS, simulateGenerated } from '../../../testing/inpaint/simulate.js';

const S = 160;

function softCircle(w: number, h: number): GrayImage {
  const m = createGray(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = Math.hypot(x - 70.3, y - 83.7);
      m.data[y * w + x] = d < 30 ? 255 : d < 36 ? Math.round(255 * (36 - d) / 6) : 0;
    }
  }
  return m;
}

/** The same image with every pixel's Lab shifted (a pure VAE-style tint, no new content). */
function tinted(img: RgbaImage, dL: number, da: number, db: number): RgbaImage {
  const data = new Uint8Array(img.data);
  const lab = new Float32Array(3);
  const rgb = new Float32Array(3);
  for (let i = 0; i < data.length; i += 4) {
    rgbToLab(data[i]!, data[i + 1]!, data[i + 2]!, lab);
    labToRgb(lab[0]! + dL, lab[1]! + da, lab[2]! + db, rgb);
    for (let c = 0; c < 3; c++) data[i + c] = Math.round(rgb[c]!);
  }
  return { width: img.width, height: img.height, data };
}

describe('pasteBack', () => {
  it('keeps every pixel outside the mask byte-identical (RGB and alpha), with a soft-edged mask', () => {
    const orig = makeScene('photo', S, S, 5);
    orig.data[3] = 77; // a translucent pixel outside the mask must keep its alpha too
    const mask = softCircle(S, S);
    const gen = simulateGenerated(orig, 'photo', mask, 16, 9);
    for (const blend of ['multiband', 'linear'] as const) {
      const out = pasteBack(orig, gen, mask, { ...DEFAULT_PASTE_BACK, blend });
      let changedInside = 0;
      let changedOutside = 0;
      for (let p = 0; p < S * S; p++) {
        const same = [0, 1, 2, 3].every((c) => out.data[p * 4 + c] === orig.data[p * 4 + c]);
        if (mask.data[p] === 0) changedOutside += same ? 0 : 1;
        else changedInside += same ? 0 : 1;
      }
      expect(changedOutside).toBe(0);
      expect(changedInside).toBeGreaterThan(2000);
    }
  });

  it('with linear blend and no colour match is exactly the old feathered composite', () => {
    const orig = makeScene('texture', S, S, 2);
    const mask = makeMask('blob', S, S);
    const gen = simulateGenerated(orig, 'texture', mask, 16, 3);
    const old = compositeWithWeights(orig, gen, featherWeights(mask, 4));
    expect(pasteBack(orig, gen, mask, { feather: 4, colorMatch: false, blend: 'linear' }).data).toEqual(old.data);
  });

  it('undoes a pure tint: the pasted region comes back within a level or two of the original', () => {
    const orig = makeScene('gradient', S, S);
    const mask = makeMask('circle', S, S);
    const gen = tinted(orig, -3, 2, 4);
    const out = pasteBack(orig, gen, mask);
    const feather = pasteBack(orig, gen, mask, { feather: 4, colorMatch: false, blend: 'linear' });
    let errOut = 0;
    let errFeather = 0;
    let n = 0;
    for (let p = 0; p < S * S; p++) {
      if (mask.data[p] !== 255) continue;
      for (let c = 0; c < 3; c++) {
        errOut += Math.abs(out.data[p * 4 + c]! - orig.data[p * 4 + c]!);
        errFeather += Math.abs(feather.data[p * 4 + c]! - orig.data[p * 4 + c]!);
        n++;
      }
    }
    expect(errOut / n).toBeLessThan(1.5);
    expect(errFeather / n).toBeGreaterThan(4 * (errOut / n));
  });

  it('returns the original when the generated image is the original', () => {
    const orig = makeScene('texture', S, S, 4);
    const mask = makeMask('rect', S, S);
    const out = pasteBack(orig, orig, mask);
    let worst = 0;
    for (let i = 0; i < out.data.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! - orig.data[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('leaves the image alone for an empty mask and refuses mismatched sizes with a clear message', () => {
    const orig = makeScene('flat', 64, 64);
    const out = pasteBack(orig, makeScene('texture', 64, 64), createGray(64, 64));
    expect(out.data).toEqual(orig.data);
    expect(() => pasteBack(orig, makeScene('flat', 64, 72), createGray(64, 64))).toThrow(/sizes differ/);
  });

  it('keeps an intended recolour: new content that runs past the mask does not drag the inside back', () => {
    const S2 = 96;
    const orig = makeScene('flat', S2, S2);
    orig.data.fill(0);
    for (let p = 0; p < S2 * S2; p++) orig.data.set([40, 80, 200, 255], p * 4);
    const mask = createGray(S2, S2);
    for (let y = 0; y < S2; y++) for (let x = 0; x < S2; x++) if (Math.hypot(x - 47.5, y - 47.5) <= 25) mask.data[y * S2 + x] = 255;
    // The model paints red over the whole repaint region (mask + margin on the grid), then a VAE tint.
    const region = repaintPixelMask(mask, 16);
    const painted = { width: S2, height: S2, data: new Uint8Array(orig.data) };
    for (let p = 0; p < S2 * S2; p++) if (region.data[p]) painted.data.set([200, 40, 40], p * 4);
    const gen = tinted(painted, -2, 1, 3);
    const out = pasteBack(orig, gen, mask);
    for (const [x, y] of [[47, 47], [47, 30], [64, 47]] as const) {
      // Centre and 8 px inside the edge: still red.
      const i = (y * S2 + x) * 4;
      expect(out.data[i]).toBeGreaterThan(170);
      expect(out.data[i + 2]).toBeLessThan(90);
    }
  });

  it('handles masks that touch the border or cover everything (no ring to measure: plain paste inside)', () => {
    const orig = makeScene('texture', 96, 96, 1);
    const gen = makeScene('texture', 96, 96, 2);
    const all = createGray(96, 96, 255);
    const out = pasteBack(orig, gen, all);
    // Nothing outside to match or blend with, and the image border is not a seam: the generated image as is.
    let worst = 0;
    for (let i = 0; i < out.data.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! - (i % 4 === 3 ? 255 : gen.data[i]!)));
    expect(worst).toBe(0);
    const corner = createGray(96, 96);
    for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) corner.data[y * 96 + x] = 255;
    const c = pasteBack(orig, gen, corner);
    expect(c.data[0]).not.toBe(orig.data[0]);
    for (let p = 0; p < 96 * 96; p++) if (!corner.data[p]) expect(c.data[p * 4 + 1]).toBe(orig.data[p * 4 + 1]);
  });

  it('switches fine bands over faster than coarse ones, never wider than the feather', () => {
    expect(bandWidths(4)).toEqual([3, 4, 5]);
    expect(bandWidths(8)).toEqual([3, 4, 6, 9]);
    expect(bandWidths(0)).toEqual([1]);
  });
});

describe('seam quality on simulated VAE round trips (tint + contrast loss + blur, content on the 8-px grid)', () => {
  it('the default beats feather-only on ring ΔE2000 and on seam gradient energy', () => {
    const score = { feather: { de: 0, grad: 0 }, def: { de: 0, grad: 0 }, orig: { de: 0, grad: 0 } };
    let cases = 0;
    for (const kind of SCENE_KINDS) {
      for (const shape of MASK_SHAPES) {
        const orig = makeScene(kind, S, S, 3);
        const mask = makeMask(shape, S, S);
        const gen = simulateGenerated(orig, kind, mask, 16, 11);
        const feather = seamScore(pasteBack(orig, gen, mask, { feather: 4, colorMatch: false, blend: 'linear' }), mask);
        const def = seamScore(pasteBack(orig, gen, mask), mask);
        const ref = seamScore(orig, mask);
        // Per case: never noticeably worse in colour than feather-only.
        expect(def.ringDeltaE).toBeLessThan(feather.ringDeltaE + 0.15);
        score.feather.de += feather.ringDeltaE;
        score.def.de += def.ringDeltaE;
        score.orig.de += ref.ringDeltaE;
        // Gradient energy: distance from what the untouched image itself scores (no seam at all).
        score.feather.grad += Math.abs(Math.log(feather.gradientRatio / ref.gradientRatio));
        score.def.grad += Math.abs(Math.log(def.gradientRatio / ref.gradientRatio));
        cases++;
      }
    }
    expect(cases).toBe(16);
    // Colour: measured as the excess over what the untouched image itself scores on the same rings
    // (textured scenes have real colour edges there), as the gradient score below is.
    expect(score.def.de - score.orig.de).toBeLessThan(0.25 * (score.feather.de - score.orig.de));
    expect(score.def.grad).toBeLessThan(0.5 * score.feather.grad);
  });
});
