import { describe, expect, it } from 'vitest';
import { planGeneration } from './generationPlan.js';

const full = (n: number, v: number) => new Uint8Array(n).fill(v);

describe('planGeneration', () => {
  it('empty frame: txt2img even with a mask', () => {
    expect(planGeneration(full(4, 255), full(4, 0), true).mode).toBe('txt2img');
  });
  it('covered frame without mask: img2img only when asked', () => {
    expect(planGeneration(full(4, 0), full(4, 255), true).mode).toBe('img2img');
    expect(planGeneration(full(4, 0), full(4, 255), false).mode).toBe('txt2img');
  });
  it('painted mask: inpaint with that mask', () => {
    const p = planGeneration(Uint8Array.of(0, 255, 0, 0), full(4, 255), false);
    expect(p.mode).toBe('inpaint');
    expect([...p.mask!]).toEqual([0, 255, 0, 0]);
  });
  it('frame past the pixels: outpaint the empty part, united with paint', () => {
    const p = planGeneration(Uint8Array.of(255, 0, 0, 0), Uint8Array.of(255, 255, 0, 3), false);
    expect(p.mode).toBe('inpaint');
    expect([...p.mask!]).toEqual([255, 0, 255, 255]);
  });
});
