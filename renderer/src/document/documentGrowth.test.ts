import { describe, expect, it } from 'vitest';
import { applyCommand } from './commands.js';
import { setFrameCommand } from './documentGrowth.js';
import { createDocument, rasterLayer } from './newDocument.js';
import { ArrayPaintSurface } from './paintSurface.js';
import { initialUndo, perform, redo, stepBytes, undo } from './undoHistory.js';

describe('the frame stays inside the document', () => {
  it('inside: a plain frame change', () => {
    const doc = createDocument(512, 512);
    expect(setFrameCommand(doc, { x: 64, y: 64, width: 256, height: 256 })).toEqual({ type: 'setFrame', frame: { x: 64, y: 64, width: 256, height: 256 } });
  });

  it('past the right edge or larger than the document: the document grows, one command with its inverse', () => {
    const doc = createDocument(512, 512);
    const r = applyCommand(doc, setFrameCommand(doc, { x: 0, y: 0, width: 2048, height: 512 }));
    expect([r.doc.width, r.doc.height, r.doc.generationFrame.width]).toEqual([2048, 512, 2048]);
    const back = applyCommand(r.doc, r.inverse).doc;
    expect([back.width, back.height, back.generationFrame.width]).toEqual([512, 512, 512]);
  });

  it('past the top-left corner: the document grows there and the layers move with it', () => {
    const doc = { ...createDocument(256, 256), layers: [rasterLayer('old', 'a'.repeat(64), { x: 0, y: 0, width: 256, height: 256 })] };
    const r = applyCommand(doc, setFrameCommand(doc, { x: -64, y: -128, width: 128, height: 256 }));
    expect([r.doc.width, r.doc.height]).toEqual([320, 384]);
    expect(r.doc.generationFrame).toEqual({ x: 0, y: 0, width: 128, height: 256 });
    expect(r.doc.layers[0]).toMatchObject({ x: 64, y: 128 });
  });

  it('the painted mask grows and moves with the content, in the same undo step; undo restores it exactly, redo re-applies', () => {
    const doc = { ...createDocument(64, 48), generationFrame: { x: 0, y: 0, width: 64, height: 48 } };
    const mask = new ArrayPaintSurface(64, 48);
    mask.beginStroke(10, 20, 6, 1, false);
    mask.strokeTo(30, 20);
    const stroke = mask.endStroke()!;
    const start = perform(initialUndo(doc), { type: 'maskPatch', patch: stroke }, 'Paint mask', mask);
    const before = Uint8Array.from(mask.data);
    const painted = (m: { data: Uint8Array; width: number }) => [...m.data.keys()].filter((i) => m.data[i]).map((i) => [i % m.width, Math.floor(i / m.width)]);
    const was = painted(mask);
    expect(was.length).toBeGreaterThan(50);

    // The frame dragged 16 px past the left edge and 8 px past the top: the document grows by that, everything moves.
    const grown = perform(start, setFrameCommand(start.doc, { x: -16, y: -8, width: 64, height: 48 }), 'Move frame', mask);
    expect([grown.doc.width, grown.doc.height, mask.width, mask.height]).toEqual([80, 56, 80, 56]);
    expect(painted(mask)).toEqual(was.map(([x, y]) => [x + 16, y + 8]));
    // One step, and it keeps no pixels: nothing fell off.
    expect(grown.past).toHaveLength(start.past.length + 1);
    expect(stepBytes(grown.past.at(-1)!)).toBe(0);

    // The grown area takes paint like the rest.
    mask.beginStroke(4, 4, 4, 1, false);
    const corner = mask.endStroke()!;
    expect(mask.data[4 * 80 + 4]).toBe(255);
    const cornerStep = perform(grown, { type: 'maskPatch', patch: corner }, 'Paint mask', mask);

    const back = undo(undo(cornerStep, mask), mask);
    expect(back.doc).toEqual(start.doc);
    expect([mask.width, mask.height]).toEqual([64, 48]);
    expect(mask.data).toEqual(before);
    const again = redo(back, mask);
    expect(again.doc).toEqual(grown.doc);
    expect(painted(mask)).toEqual(was.map(([x, y]) => [x + 16, y + 8]));
  });

  it('a resize that drops painted pixels keeps them in its inverse, so undo puts them back exactly', () => {
    const mask = new ArrayPaintSurface(32, 32);
    mask.write({ x: 24, y: 24, width: 8, height: 8 }, new Uint8Array(64).fill(200));
    const before = Uint8Array.from(mask.data);
    const doc = createDocument(32, 32);
    const r = applyCommand(doc, { type: 'resizeDocument', width: 16, height: 16 }, mask);
    expect([mask.width, mask.height, mask.data.every((v) => v === 0)]).toEqual([16, 16, true]);
    expect(r.inverse).toMatchObject({ type: 'resizeDocument', width: 32, height: 32, maskPixels: before });
    expect(stepBytes({ label: 'Crop', forward: { type: 'resizeDocument', width: 16, height: 16 }, inverse: r.inverse })).toBe(32 * 32);
    applyCommand(r.doc, r.inverse, mask);
    expect(mask.data).toEqual(before);
  });
});
