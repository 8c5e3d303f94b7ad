import { describe, expect, it } from 'vitest';
import { intersect, sizeForAspect, snapFrame } from './geometry.js';

describe('geometry', () => {
  it('snaps frames to multiples of 8 within limits', () => {
    expect(snapFrame({ x: 13, y: -4.2, width: 101, height: 5000 })).toEqual({ x: 16, y: -8, width: 104, height: 4096 });
    expect(snapFrame({ x: 0, y: 0, width: 10, height: 63 })).toEqual({ x: 0, y: 0, width: 64, height: 64 });
  });
  it('intersects', () => {
    expect(intersect({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 5, width: 10, height: 10 })).toEqual({ x: 5, y: 5, width: 5, height: 5 });
    expect(intersect({ x: 0, y: 0, width: 10, height: 10 }, { x: 10, y: 0, width: 5, height: 5 })).toBeNull();
  });
  it('keeps area for aspect presets', () => {
    expect(sizeForAspect(512, 512, 16 / 9)).toEqual({ width: 680, height: 384 });
    expect(sizeForAspect(512, 512, 1)).toEqual({ width: 512, height: 512 });
  });
});
