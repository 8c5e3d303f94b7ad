import { describe, expect, it } from 'vitest';
import { createRgba } from '../pixels.js';
import { cannyEdges } from './canny.js';
import { controlMap } from './controlMap.js';
import { paint, photo, transparent } from '../../../testing/control/controlImages.js';

describe('controlMap', () => {
  it('gives opaque white-on-black RGB for canny and scribble', async () => {
    const camera = await photo('camera-256.png');
    const map = controlMap(camera, 'canny', { canny: { low: 80, high: 160 } });
    const edges = cannyEdges(camera, { low: 80, high: 160 });
    expect([map.width, map.height]).toEqual([256, 256]);
    const expected = new Uint8Array(256 * 256 * 4);
    edges.data.forEach((v, p) => expected.set([v, v, v, 255], p * 4));
    expect(Buffer.from(map.data).equals(Buffer.from(expected))).toBe(true);
    const sketch = controlMap(paint(transparent(64, 64), [0, 0, 0, 255], (x, y) => Math.abs(x - y) < 2), 'scribble');
    expect(sketch.data[(32 * 64 + 32) * 4]).toBe(255);
    expect(sketch.data[(10 * 64 + 50) * 4]).toBe(0);
    expect(sketch.data[(10 * 64 + 50) * 4 + 3]).toBe(255);
  });

  it("takes a ready-made map as it is ('none'), transparent parts black", () => {
    const src = paint(transparent(4, 1), [200, 100, 50, 255], (x) => x < 2);
    src.data.set([200, 100, 50, 128], 2 * 4);
    expect(Array.from(controlMap(src, 'none').data)).toEqual([200, 100, 50, 255, 200, 100, 50, 255, 100, 50, 25, 255, 0, 0, 0, 255]);
  });

  it('refuses pixels that do not match their size', () => {
    expect(() => controlMap({ width: 4, height: 4, data: new Uint8Array(10) }, 'canny')).toThrow(/control image must be RGBA pixels \(4×4 with 10 bytes\)/);
    expect(() => controlMap(createRgba(0, 0), 'none')).toThrow(RangeError);
  });
});
