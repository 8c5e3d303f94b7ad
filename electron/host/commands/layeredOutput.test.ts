import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/engine/rng.js';
import { inpaintLayer } from './layeredOutput.js';

describe('inpaintLayer', () => {
  it('reproduces any result under the mask when composited, raising the mask only where it must', () => {
    const rng = createRng(5);
    const n = 4096;
    const input = { width: 64, height: 64, data: new Uint8Array(n * 4) };
    const result = { width: 64, height: 64, data: new Uint8Array(n * 4) };
    const weights = new Float32Array(n);
    for (let p = 0; p < n; p++) {
      weights[p] = p % 7 === 0 ? 0 : rng.nextFloat();
      for (let c = 0; c < 4; c++) {
        input.data[p * 4 + c] = Math.floor(rng.nextFloat() * 256);
        // Unrelated pixels where the weight is positive: the worst case for a layer under a soft mask.
        result.data[p * 4 + c] = weights[p] === 0 ? input.data[p * 4 + c]! : Math.floor(rng.nextFloat() * 256);
      }
    }
    const { pixels, mask } = inpaintLayer(input, result, weights);
    let raised = 0;
    for (let p = 0; p < n; p++) {
      const m = mask.data[p]! / 255;
      if (weights[p] === 0) expect(mask.data[p]).toBe(0);
      else expect(mask.data[p]).toBeGreaterThanOrEqual(Math.floor(weights[p]! * 255));
      if (mask.data[p]! > Math.ceil(weights[p]! * 255)) raised++;
      for (let c = 0; c < 3; c++) {
        const composite = input.data[p * 4 + c]! * (1 - m) + pixels.data[p * 4 + c]! * m;
        expect(Math.abs(composite - result.data[p * 4 + c]!)).toBeLessThanOrEqual(0.5 + 1e-6);
      }
    }
    expect(raised).toBeGreaterThan(0);
  });
});
