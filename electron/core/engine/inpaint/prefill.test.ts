import { describe, expect, it } from 'vitest';
import { createGray } from '../../image/types.js';
import { deltaE2000 } from '../../../testing/inpaint/deltaE2000.js';
import { rgbToLab } from './lab.js';
import { DEFAULT_PATCH_FILL, prefillPatch } from './prefill.js';
import { makeScene } from '../../../testing/inpaint/simulate.js';

const S = 128;

function sceneWithObject() {
  const img = makeScene('texture', S, S, 6);
  const mask = createGray(S, S);
  for (let y = 40; y < 80; y++) {
    for (let x = 50; x < 86; x++) {
      const i = (y * S + x) * 4;
      // A saturated magenta object that appears nowhere else in the texture.
      if (y >= 43 && y < 77 && x >= 53 && x < 83) img.data.set([230, 20, 210], i);
      mask.data[y * S + x] = 255;
    }
  }
  return { img, mask };
}

function meanLab(img: { data: Uint8Array }, pick: (p: number) => boolean): number[] {
  const lab = [0, 0, 0];
  const acc = [0, 0, 0];
  let n = 0;
  for (let p = 0; p < S * S; p++) {
    if (!pick(p)) continue;
    rgbToLab(img.data[p * 4]!, img.data[p * 4 + 1]!, img.data[p * 4 + 2]!, lab);
    for (let c = 0; c < 3; c++) acc[c]! += lab[c]!;
    n++;
  }
  return acc.map((v) => v / n);
}

describe('prefillPatch', () => {
  it('removes the object under the mask, matches the surroundings and leaves the rest untouched', () => {
    const { img, mask } = sceneWithObject();
    const out = prefillPatch(img, mask);
    let magenta = 0;
    let changedOutside = 0;
    for (let p = 0; p < S * S; p++) {
      const [r, g, b] = [out.data[p * 4]!, out.data[p * 4 + 1]!, out.data[p * 4 + 2]!];
      if (mask.data[p]) magenta += r > 200 && g < 60 && b > 180 ? 1 : 0;
      else changedOutside += [0, 1, 2, 3].some((c) => out.data[p * 4 + c] !== img.data[p * 4 + c]) ? 1 : 0;
    }
    expect(magenta).toBe(0);
    expect(changedOutside).toBe(0);
    const filled = meanLab(out, (p) => mask.data[p] === 255);
    const around = meanLab(img, (p) => {
      const x = p % S;
      const y = Math.floor(p / S);
      return !mask.data[p] && x >= 30 && x < 106 && y >= 20 && y < 100;
    });
    expect(deltaE2000(filled[0]!, filled[1]!, filled[2]!, around[0]!, around[1]!, around[2]!)).toBeLessThan(6);
  });

  it('copies texture rather than smearing it: the fill keeps most of the surroundings’ detail', () => {
    const { img, mask } = sceneWithObject();
    const out = prefillPatch(img, mask);
    const energy = (im: { data: Uint8Array }, inMask: boolean) => {
      let e = 0;
      let n = 0;
      for (let y = 1; y < S - 1; y++) {
        for (let x = 1; x < S - 1; x++) {
          const p = y * S + x;
          if ((mask.data[p] === 255) !== inMask || (inMask && (x < 53 || x >= 83 || y < 43 || y >= 77))) continue;
          const d = im.data[(p + 1) * 4 + 1]! - im.data[(p - 1) * 4 + 1]!;
          e += d * d;
          n++;
        }
      }
      return e / n;
    };
    expect(energy(out, true)).toBeGreaterThan(0.4 * energy(img, false));
  });

  it('is deterministic for a seed and does nothing for an empty mask', () => {
    const { img, mask } = sceneWithObject();
    expect(prefillPatch(img, mask).data).toEqual(prefillPatch(img, mask, { ...DEFAULT_PATCH_FILL }).data);
    expect(prefillPatch(img, createGray(S, S)).data).toEqual(img.data);
  });
});
