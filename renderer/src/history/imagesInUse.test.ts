import { describe, expect, it } from 'vitest';
import { createDocument, rasterLayer } from '../document/newDocument.js';
import { initialUndo, perform, undo } from '../document/undoHistory.js';
import { ArrayMask } from '../document/maskSurface.js';
import { imagesInUse } from './imagesInUse.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const M = 'c'.repeat(64);

describe('imagesInUse: what a history delete must keep', () => {
  it('finds layer images and masks, including a layer that only undo/redo can bring back', () => {
    let s = initialUndo(createDocument(128, 128));
    const a = rasterLayer('a', A, { x: 0, y: 0, width: 64, height: 64 }, { mask: { imageId: M, x: 0, y: 0, width: 64, height: 64 } });
    const b = rasterLayer('b', B, { x: 0, y: 0, width: 64, height: 64 });
    s = perform(s, { type: 'addLayer', layer: a, index: 0 }, 'add a');
    s = perform(s, { type: 'addLayer', layer: b, index: 1 }, 'add b');
    expect(imagesInUse(s).sort()).toEqual([A, B, M]);
    // b removed: gone from the layers but still reachable by Undo.
    s = perform(s, { type: 'removeLayer', id: b.id }, 'remove b');
    expect(s.doc.layers.map((l) => (l.kind === 'raster' ? l.imageId : ''))).toEqual([A]);
    expect(imagesInUse(s)).toContain(B);
    // Undo both adds: both layers only live in the redo stack now.
    s = undo(undo(undo(s)));
    expect(s.doc.layers).toEqual([]);
    expect(imagesInUse(s).sort()).toEqual([A, B, M]);
  });

  it('skips pixel buffers of mask strokes and ignores strings that are not image ids', () => {
    const mask = new ArrayMask(64, 64);
    let s = initialUndo(createDocument(64, 64));
    s = perform(s, { type: 'setFrame', frame: { x: 0, y: 0, width: 64, height: 64 } }, 'frame');
    const before = new Uint8Array(64 * 64);
    const after = new Uint8Array(64 * 64).fill(255);
    s = perform(s, { type: 'maskPatch', patch: { rect: { x: 0, y: 0, width: 64, height: 64 }, before, after } }, 'stroke', mask);
    const layer = rasterLayer('x', A, { x: 0, y: 0, width: 8, height: 8 });
    s = perform(s, { type: 'addLayer', layer: { ...layer, name: 'imageId' }, index: 0 }, 'add');
    expect(imagesInUse(s)).toEqual([A]);
  });
});
