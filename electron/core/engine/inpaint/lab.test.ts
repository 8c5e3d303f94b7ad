import { describe, expect, it } from 'vitest';
import { labToRgb, rgbToLab } from './lab.js';

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
});
