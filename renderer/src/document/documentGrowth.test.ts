import { describe, expect, it } from 'vitest';
import { applyCommand } from './commands.js';
import { setFrameCommand } from './documentGrowth.js';
import { createDocument, rasterLayer } from './newDocument.js';

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
});
