import { describe, expect, it } from 'vitest';
import { controlMap } from '../../electron/shared/image/control/controlMap.js';
import { objectMask } from './analyse.js';
import { filledMask, maskIoU, outlineSketch, shapePolygon } from './outline.js';

describe('shape outlines for the demo ControlNet', () => {
  it('fills a square to its area and strokes its outline, which the scribble preprocessor keeps where it was', () => {
    const square = shapePolygon('square', 40, 88, 20);
    const fill = filledMask(square, 128);
    expect(fill.reduce((n, v) => n + v, 0)).toBe(40 * 40);
    const map = controlMap(outlineSketch(square, 128, 4), 'scribble');
    const white = (x: number, y: number) => map.data[(y * 128 + x) * 4]! > 128;
    expect(white(40, 68)).toBe(true); // top edge
    expect(white(20, 88)).toBe(true); // left edge
    expect(white(40, 88)).toBe(false); // inside
    expect(white(100, 30)).toBe(false); // elsewhere
  });

  it('has the world\'s star and triangle corners, and IoU counts overlap over union', () => {
    expect(shapePolygon('star', 64, 64, 30)).toHaveLength(10);
    expect(shapePolygon('triangle', 64, 64, 30)[0]).toEqual([64, 34]);
    const a = filledMask(shapePolygon('square', 32, 32, 16), 64);
    const b = filledMask(shapePolygon('square', 40, 32, 16), 64);
    expect(maskIoU(a, a)).toBe(1);
    expect(maskIoU(a, b)).toBeCloseTo((24 * 32) / (40 * 32), 5);
    expect(maskIoU(new Uint8Array(4), new Uint8Array(4))).toBe(0);
    expect(() => maskIoU(a, new Uint8Array(3))).toThrow(/differ in size/);
  });

  it("the analyser's object mask is the object's pixels of that colour", () => {
    const size = 32;
    const data = new Uint8Array(size * size * 4).fill(250);
    for (let y = 8; y < 16; y++) for (let x = 4; x < 12; x++) data.set([220, 30, 30, 255], (y * size + x) * 4);
    const mask = objectMask({ width: size, height: size, data }, 'red');
    expect(mask.reduce((n, v) => n + v, 0)).toBe(64);
    expect(mask[10 * size + 6]).toBe(1);
    expect(objectMask({ width: size, height: size, data }, 'blue').every((v) => v === 0)).toBe(true);
  });
});
