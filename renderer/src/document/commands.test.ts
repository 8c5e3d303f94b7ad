import { describe, expect, it } from 'vitest';
import { DocumentSchema, type RasterLayer } from '../../../electron/contract/document.js';
import { GenerationSettingsSchema } from '../../../electron/contract/generation.js';
import { applyCommand, CommandError, type DocCommand } from './commands.js';
import { ArrayMask } from './maskSurface.js';
import { createDocument, rasterLayer } from './newDocument.js';
import { initialUndo, perform, redo, undo } from './undoHistory.js';

const ID = 'a'.repeat(64);

function docWith(n: number) {
  let doc = createDocument(256, 256);
  for (let i = 0; i < n; i++) doc = applyCommand(doc, { type: 'addLayer', layer: rasterLayer(`L${i}`, ID, { x: i, y: 0, width: 64, height: 64 }), index: i }).doc;
  return doc;
}

describe('document commands', () => {
  const cases: [string, (d: ReturnType<typeof docWith>) => DocCommand][] = [
    ['addLayer', () => ({ type: 'addLayer', layer: rasterLayer('new', ID, { x: 5, y: 5, width: 8, height: 8 }), index: 1 })],
    ['removeLayer', (d) => ({ type: 'removeLayer', id: d.layers[1].id })],
    ['updateLayer', (d) => ({ type: 'updateLayer', id: d.layers[0].id, patch: { x: 40, y: -8, opacity: 0.5, name: 'moved', visible: false } })],
    ['moveLayerInStack', (d) => ({ type: 'moveLayerInStack', id: d.layers[0].id, toIndex: 2 })],
    ['setFrame', () => ({ type: 'setFrame', frame: { x: 8, y: 16, width: 128, height: 64 } })],
    ['addHistoryEntry', () => ({ type: 'addHistoryEntry', entryId: 'h1' })],
    ['resizeDocument', () => ({ type: 'resizeDocument', width: 1024, height: 768 })],
    ['batch', (d) => ({ type: 'batch', label: 'b', commands: [{ type: 'removeLayer', id: d.layers[0].id }, { type: 'setFrame', frame: { x: 0, y: 0, width: 64, height: 64 } }] })],
  ];
  for (const [name, make] of cases) {
    it(`${name}: applying the inverse restores the document, and the result stays valid`, () => {
      const doc = docWith(3);
      const { doc: after, inverse } = applyCommand(doc, make(doc));
      expect(after).not.toEqual(doc);
      expect(DocumentSchema.safeParse(after).success).toBe(true);
      expect(applyCommand(after, inverse).doc).toEqual(doc);
    });
  }

  it('moves a layer within the stack in order', () => {
    const doc = docWith(3);
    const { doc: after } = applyCommand(doc, { type: 'moveLayerInStack', id: doc.layers[0].id, toIndex: 2 });
    expect(after.layers.map((l) => l.name)).toEqual(['L1', 'L2', 'L0']);
  });

  it('mask patches write the surface and invert', () => {
    const doc = docWith(0);
    const mask = new ArrayMask(16, 16);
    const rect = { x: 2, y: 3, width: 4, height: 2 };
    const { inverse } = applyCommand(doc, { type: 'maskPatch', patch: { rect, before: new Uint8Array(8), after: new Uint8Array(8).fill(255) } }, mask);
    expect(mask.data[3 * 16 + 2]).toBe(255);
    expect(mask.data[3 * 16 + 1]).toBe(0);
    applyCommand(doc, inverse, mask);
    expect(mask.data.every((v) => v === 0)).toBe(true);
  });

  it('new pixels on a generated layer mark its source edited (settings kept as history); undo and redo follow', () => {
    const settings = GenerationSettingsSchema.parse({ mode: 'txt2img', prompt: 'a red fox', width: 64, height: 64, seed: 42, steps: 4, guidance: 7, scheduler: 'euler' });
    const fox = rasterLayer('fox', ID, { x: 0, y: 0, width: 64, height: 64 }, { source: { model: 'm', settings } });
    const start = initialUndo({ ...createDocument(64, 64), layers: [fox] });
    const painted = perform(start, { type: 'updateLayer', id: fox.id, patch: { imageId: 'b'.repeat(64) } }, 'Paint');
    expect(painted.doc.layers[0]).toMatchObject({ imageId: 'b'.repeat(64), source: { model: 'm', settings, edited: true } });
    expect(DocumentSchema.safeParse(painted.doc).success).toBe(true);
    // A second stroke keeps the mark; undoing both gives back the untouched layer exactly.
    const twice = perform(painted, { type: 'updateLayer', id: fox.id, patch: { imageId: 'c'.repeat(64) } }, 'Paint');
    expect(twice.doc.layers[0]).toMatchObject({ imageId: 'c'.repeat(64), source: { edited: true } });
    const back = undo(undo(twice));
    expect(back.doc).toEqual(start.doc);
    expect(redo(back).doc.layers[0]).toEqual(painted.doc.layers[0]);
    // Moving or renaming is not a pixel edit; a layer that was never generated gets no source.
    const moved = perform(start, { type: 'updateLayer', id: fox.id, patch: { x: 8, name: 'moved' } }, 'Move').doc.layers[0] as RasterLayer;
    expect(moved.source).toEqual({ model: 'm', settings });
    const photo = docWith(1);
    const repainted = applyCommand(photo, { type: 'updateLayer', id: photo.layers[0].id, patch: { imageId: 'b'.repeat(64) } }).doc.layers[0];
    expect('source' in repainted).toBe(false);
  });

  it('refuses edits to a layer that does not exist', () => {
    expect(() => applyCommand(docWith(1), { type: 'removeLayer', id: 'nope' })).toThrow(CommandError);
  });

  it('a batch that fails partway changes nothing: the mask edits and the resize it already made are undone', () => {
    const doc = createDocument(16, 16);
    const mask = new ArrayMask(16, 16);
    mask.data[5 * 16 + 5] = 255;
    const before = mask.data.slice();
    const rect = { x: 0, y: 0, width: 2, height: 1 };
    const failing: DocCommand = {
      type: 'batch', label: 'grow, paint, then a missing layer', commands: [
        { type: 'resizeDocument', width: 32, height: 24, dx: 8, dy: 4 },
        { type: 'maskPatch', patch: { rect, before: new Uint8Array(2), after: new Uint8Array(2).fill(255) } },
        { type: 'removeLayer', id: 'nope' },
      ],
    };
    expect(() => applyCommand(doc, failing, mask)).toThrow(CommandError);
    expect([mask.width, mask.height]).toEqual([16, 16]);
    expect(mask.data).toEqual(before);
    // Through the undo stack: the failed edit is not a step, and the document is the same object.
    const state = initialUndo(doc);
    expect(() => perform(state, failing, 'x', mask)).toThrow(CommandError);
    expect(mask.data).toEqual(before);
  });
});
