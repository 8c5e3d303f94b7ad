import { describe, expect, it } from 'vitest';
import { affineLabToPlanes, labToRgb, rgbToLab } from './lab.js';

describe('Lab conversion', () => {
  it('puts white, black and sRGB red where the CIE formulas do', () => {
    const lab = [0, 0, 0];
    rgbToLab(255, 255, 255, lab);
    expect(lab[0]).toBeCloseTo(100, 2);
    expect(Math.abs(lab[1]!)).toBeLessThan(0.01);
    expect(Math.abs(lab[2]!)).toBeLessThan(0.01);
    rgbToLab(0, 0, 0, lab);
    expect(lab[0]).toBeCloseTo(0, 5);
    rgbToLab(255, 0, 0, lab);
    expect(lab[0]).toBeCloseTo(53.24, 1);
    expect(lab[1]).toBeCloseTo(80.09, 1);
    expect(lab[2]).toBeCloseTo(67.2, 1);
  });

  it('round-trips every 5th byte triple to within a quarter level', () => {
    const lab = new Float32Array(3);
    const rgb = new Float32Array(3);
    let worst = 0;
    for (let r = 0; r < 256; r += 5) {
      for (let g = 0; g < 256; g += 5) {
        for (let b = 0; b < 256; b += 5) {
          rgbToLab(r, g, b, lab);
          labToRgb(lab[0]!, lab[1]!, lab[2]!, rgb);
          worst = Math.max(worst, Math.abs(rgb[0]! - r), Math.abs(rgb[1]! - g), Math.abs(rgb[2]! - b));
        }
      }
    }
    expect(worst).toBeLessThan(0.25);
  });

  it('affineLabToPlanes equals convert → map → mix → convert back, pixel by pixel', () => {
    const w = 7;
    const h = 5;
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < data.length; i++) data[i] = (i * 73 + 11) % 256;
    const strength = new Float32Array(w * h).map((_, p) => (p % 4) / 3);
    const gain = [1.1, 0.9, 1.2] as const;
    const offset = [-3, 2, 4] as const;
    const out = affineLabToPlanes(data, w, 0, 0, w, h, gain, offset, strength);
    const lab = [0, 0, 0];
    const rgb = [0, 0, 0];
    for (let p = 0; p < w * h; p++) {
      rgbToLab(data[p * 4]!, data[p * 4 + 1]!, data[p * 4 + 2]!, lab);
      const s = strength[p]!;
      const m = lab.map((v, c) => v + s * (v * gain[c]! + offset[c]! - v));
      labToRgb(m[0]!, m[1]!, m[2]!, rgb);
      for (let c = 0; c < 3; c++) expect(out[c * w * h + p]).toBeCloseTo(s === 0 ? data[p * 4 + c]! : rgb[c]!, 3);
    }
  });
});
