import { describe, expect, it } from 'vitest';
import { expand, expandToBase, gaussianPyramid, planes, reduce } from './pyramid.js';

describe('pyramid', () => {
  it('keeps a constant image constant through reduce and expand (odd sizes too)', () => {
    const p = planes(37, 21, 2);
    p.data.fill(3.5);
    const r = reduce(p);
    expect([r.w, r.h, r.c]).toEqual([19, 11, 2]);
    expect(r.data.every((v) => Math.abs(v - 3.5) < 1e-5)).toBe(true);
    const e = expand(r, 37, 21);
    expect(e.data.every((v) => Math.abs(v - 3.5) < 1e-5)).toBe(true);
  });

  it('reproduces a linear ramp away from the borders (the kernels are symmetric and normalised)', () => {
    const p = planes(64, 8, 1);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 64; x++) p.data[y * 64 + x] = 2 * x;
    const r = reduce(p);
    expect(r.data[3 * 32 + 10]).toBeCloseTo(2 * 20, 4);
    const e = expand(r, 64, 8);
    expect(e.data[3 * 64 + 21]).toBeCloseTo(42, 4);
    expect(e.data[3 * 64 + 20]).toBeCloseTo(40, 4);
  });

  it('removes fine detail at coarse levels: a checkerboard averages out', () => {
    const p = planes(32, 32, 1);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) p.data[y * 32 + x] = (x + y) & 1 ? 1 : 0;
    const pyr = gaussianPyramid(p, 3);
    expect(pyr).toHaveLength(4);
    const up = expandToBase(pyr, 2);
    const mid = up.data[16 * 32 + 16]!;
    expect(Math.abs(mid - 0.5)).toBeLessThan(0.01);
  });
});
