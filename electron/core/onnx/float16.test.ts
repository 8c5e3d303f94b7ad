import { describe, expect, it } from 'vitest';
import { floatToHalf, fromHalfArray, halfToFloat, toHalfArray } from './float16.js';

describe('float16', () => {
  it('encodes the published bit patterns', () => {
    // Values from the IEEE 754 binary16 table.
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2)).toBe(0xc000);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(floatToHalf(2 ** -24)).toBe(0x0001);
    expect(floatToHalf(0.333251953125)).toBe(0x3555);
    expect(floatToHalf(0)).toBe(0);
    expect(floatToHalf(-0)).toBe(0x8000);
    expect(floatToHalf(NaN) & 0x7c00).toBe(0x7c00);
  });

  it('decodes the published bit patterns', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
  });

  it('round-trips SD latent-range values within half precision', () => {
    const values = new Float32Array([0.1, -3.25, 14.6146, 0.18215, -0.0001]);
    const back = fromHalfArray(toHalfArray(values));
    values.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -10 + 1e-7));
  });
});
