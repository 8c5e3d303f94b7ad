import { describe, expect, it } from 'vitest';
import { createRgba } from '../pixels.js';
import { cannyEdges } from './canny.js';
import { count, paint, photo, transparent } from '../../../testing/control/controlImages.js';

describe('canny edges', () => {
  it('finds the outlines of a photograph, thin, and none in its sky', async () => {
    const camera = await photo('camera-256.png');
    const edges = cannyEdges(camera);
    const density = count(edges) / (256 * 256);
    expect(density).toBeGreaterThan(0.02); // the man, the tripod, the skyline
    expect(density).toBeLessThan(0.08); // not the lawn's grain
    expect(new Set(edges.data)).toEqual(new Set([0, 255]));
    // The plain sky above the lawn, left and right of the head.
    expect(count(edges, (x, y) => x < 70 && y < 50)).toBe(0);
    expect(count(edges, (x, y) => x >= 140 && x < 195 && y < 60)).toBe(0);
    // Non-maximum suppression: lines one pixel across, so full 2×2 blocks are rare (corners, junctions).
    let blocks = 0;
    for (let y = 0; y < 255; y++) {
      for (let x = 0; x < 255; x++) {
        const p = y * 256 + x;
        if (edges.data[p] && edges.data[p + 1] && edges.data[p + 256] && edges.data[p + 257]) blocks++;
      }
    }
    expect(blocks / count(edges)).toBeLessThan(0.02);
  });

  it('lower thresholds keep every edge and add fainter ones; more blur keeps fewer', async () => {
    const camera = await photo('camera-256.png');
    const strict = cannyEdges(camera, { low: 100, high: 200 });
    const loose = cannyEdges(camera, { low: 50, high: 100 });
    for (let p = 0; p < strict.data.length; p++) if (strict.data[p]) expect(loose.data[p]).toBe(255);
    expect(count(loose)).toBeGreaterThan(count(strict) * 1.3);
    expect(count(cannyEdges(camera, { sigma: 2.5 }))).toBeLessThan(count(strict));
  });

  it('moves with the picture (shift equivariance away from the borders)', async () => {
    const camera = await photo('camera-256.png');
    const shifted = createRgba(256, 256, [0, 0, 0, 255]);
    for (let y = 5; y < 256; y++) shifted.data.set(camera.data.subarray((y - 5) * 1024, (y - 5) * 1024 + (256 - 7) * 4), y * 1024 + 7 * 4);
    const a = cannyEdges(camera);
    const b = cannyEdges(shifted);
    let same = 0;
    let total = 0;
    for (let y = 20; y < 236; y++) {
      for (let x = 20; x < 236; x++) {
        total++;
        if (a.data[y * 256 + x] === b.data[(y + 5) * 256 + x + 7]) same++;
      }
    }
    expect(same / total).toBeGreaterThan(0.995);
  });

  it('outlines a square one pixel from its boundary, closed all round', () => {
    const square = paint(createRgba(96, 96, [30, 30, 30, 255]), [200, 200, 200, 255], (x, y) => x >= 28 && x < 68 && y >= 28 && y < 68);
    const edges = cannyEdges(square);
    const nearBoundary = (x: number, y: number) => {
      const inBand = (v: number, edge: number) => Math.abs(v + 0.5 - edge) <= 1.5;
      const within = (v: number) => v >= 26 && v < 70;
      return (within(x) && within(y) && (inBand(x, 28) || inBand(x, 68))) || (within(x) && within(y) && (inBand(y, 28) || inBand(y, 68)));
    };
    expect(count(edges, (x, y) => !nearBoundary(x, y))).toBe(0);
    expect(count(edges)).toBeGreaterThan(150); // ≈ the 160-pixel perimeter
    for (let i = 30; i < 66; i++) {
      expect(count(edges, (x, y) => y === i && x < 48)).toBeGreaterThan(0); // left side
      expect(count(edges, (x, y) => x === i && y > 48)).toBeGreaterThan(0); // bottom side
    }
    expect(count(cannyEdges(createRgba(64, 64, [120, 80, 40, 255])))).toBe(0);
  });

  it('sees a cut-out by its alpha and an edge between colours of equal brightness', () => {
    const disc = paint(transparent(64, 64), [0, 0, 0, 255], (x, y) => (x - 32) ** 2 + (y - 32) ** 2 < 400);
    expect(count(cannyEdges(disc))).toBeGreaterThan(100);
    // Red (luma 76) beside green (luma 76): one edge in luma terms is none; per channel it is strong.
    const halves = paint(createRgba(64, 64, [255, 0, 0, 255]), [0, 130, 0, 255], (x) => x >= 32);
    const edges = cannyEdges(halves);
    expect(count(edges, (x) => Math.abs(x - 31.5) < 2)).toBeGreaterThanOrEqual(64);
    expect(count(edges, (x) => Math.abs(x - 31.5) >= 2)).toBe(0);
  });

  it('refuses thresholds that cannot work, in one sentence', () => {
    const img = createRgba(8, 8, [0, 0, 0, 255]);
    expect(() => cannyEdges(img, { low: 200, high: 100 })).toThrow(/0 ≤ low ≤ high \(got 200, 100\)/);
    expect(() => cannyEdges(img, { low: Number.NaN })).toThrow(RangeError);
  });
});
