import { describe, expect, it } from 'vitest';
import { createDocument, rasterLayer } from './newDocument.js';
import { dragFrame, frameGrip, layerAt } from './hitTest.js';

describe('hit testing', () => {
  it('finds the topmost visible layer', () => {
    const doc = createDocument();
    const a = rasterLayer('a', 'a'.repeat(64), { x: 0, y: 0, width: 100, height: 100 });
    const b = { ...rasterLayer('b', 'b'.repeat(64), { x: 50, y: 50, width: 100, height: 100 }) };
    doc.layers = [a, b];
    expect(layerAt(doc, 60, 60)?.name).toBe('b');
    expect(layerAt(doc, 10, 10)?.name).toBe('a');
    doc.layers = [a, { ...b, visible: false }];
    expect(layerAt(doc, 60, 60)?.name).toBe('a');
    expect(layerAt(doc, 200, 200)).toBeNull();
  });
  it('grips frame edges and drags them', () => {
    const f = { x: 0, y: 0, width: 64, height: 64 };
    expect(frameGrip(f, 32, 32, 4)).toBe('inside');
    expect(frameGrip(f, 64, 64, 4)).toBe('se');
    expect(frameGrip(f, 1, 30, 4)).toBe('w');
    expect(frameGrip(f, 100, 30, 4)).toBe('outside');
    expect(dragFrame(f, 'nw', 8, 16)).toEqual({ x: 8, y: 16, width: 56, height: 48 });
    expect(dragFrame(f, 'inside', 8, 16)).toEqual({ x: 8, y: 16, width: 64, height: 64 });
  });
});
