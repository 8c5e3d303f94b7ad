import { describe, expect, it } from 'vitest';
import { ArrayMask } from './maskSurface.js';
import { createDocument, rasterLayer } from './newDocument.js';
import { initialUndo, PATCH_BUDGET_BYTES, perform, record, redo, stepBytes, undo } from './undoHistory.js';

describe('undo history', () => {
  it('undoes and redoes a sequence including a mask stroke; a new edit clears redo', () => {
    const mask = new ArrayMask(8, 8);
    const layer = rasterLayer('a', 'b'.repeat(64), { x: 0, y: 0, width: 8, height: 8 });
    let s = initialUndo(createDocument(8, 8));
    const start = s.doc;
    s = perform(s, { type: 'addLayer', layer, index: 0 }, 'Add');
    s = perform(s, { type: 'updateLayer', id: layer.id, patch: { x: 16 } }, 'Move');
    s = perform(s, { type: 'maskPatch', patch: { rect: { x: 0, y: 0, width: 2, height: 1 }, before: new Uint8Array(2), after: Uint8Array.of(255, 255) } }, 'Stroke', mask);
    expect(mask.data[0]).toBe(255);
    s = undo(s, mask);
    expect(mask.data[0]).toBe(0);
    s = undo(s, mask);
    expect((s.doc.layers[0] as { x: number }).x).toBe(0);
    s = redo(s, mask);
    expect((s.doc.layers[0] as { x: number }).x).toBe(16);
    s = redo(s, mask);
    expect(mask.data[1]).toBe(255);
    s = undo(undo(undo(s, mask), mask), mask);
    expect(s.doc).toEqual(start);
    expect(undo(s, mask)).toBe(s);
    s = redo(s, mask);
    s = perform(s, { type: 'setFrame', frame: { x: 0, y: 0, width: 64, height: 64 } }, 'Frame');
    expect(s.future).toHaveLength(0);
    expect(redo(s, mask)).toBe(s);
  });

  it('records an already-drawn mask stroke so undo restores and redo re-applies it', () => {
    const mask = new ArrayMask(4, 1);
    mask.write({ x: 0, y: 0, width: 2, height: 1 }, Uint8Array.of(255, 255));
    const rect = { x: 0, y: 0, width: 2, height: 1 };
    let s = record(initialUndo(createDocument(4, 1)), {
      label: 'Stroke',
      forward: { type: 'maskPatch', patch: { rect, before: new Uint8Array(2), after: Uint8Array.of(255, 255) } },
      inverse: { type: 'maskPatch', patch: { rect, before: Uint8Array.of(255, 255), after: new Uint8Array(2) } },
    });
    s = undo(s, mask);
    expect([...mask.data]).toEqual([0, 0, 0, 0]);
    s = redo(s, mask);
    expect([...mask.data]).toEqual([255, 255, 0, 0]);
  });

  it('keeps mask patches within the pixel budget by dropping the oldest steps', () => {
    const big = 48 * 1024 * 1024; // 96 MiB a step with its inverse
    const rect = { x: 0, y: 0, width: big, height: 1 };
    const pixels = new Uint8Array(big); // shared: the budget counts byte lengths, not distinct buffers
    let s = initialUndo(createDocument(8, 8));
    for (let i = 0; i < 5; i++) {
      s = record(s, { label: `S${i}`, forward: { type: 'maskPatch', patch: { rect, before: pixels, after: pixels } }, inverse: { type: 'maskPatch', patch: { rect, before: new Uint8Array(0), after: new Uint8Array(0) } } });
    }
    expect(s.past.map((p) => p.label)).toEqual(['S3', 'S4']);
    expect(s.past.reduce((n, p) => n + stepBytes(p), 0)).toBeLessThanOrEqual(PATCH_BUDGET_BYTES);
  });

  it('a step that no longer applies is reported and dropped; the steps below it still undo and redo', () => {
    const a = rasterLayer('a', 'a'.repeat(64), { x: 0, y: 0, width: 8, height: 8 });
    const b = rasterLayer('b', 'b'.repeat(64), { x: 0, y: 0, width: 8, height: 8 });
    let s = initialUndo(createDocument(8, 8));
    s = perform(s, { type: 'addLayer', layer: a, index: 0 }, 'Add a');
    s = perform(s, { type: 'addLayer', layer: b, index: 1 }, 'Add b');
    // Something outside the history removed layer b: its "Add b" inverse (remove b) now fails.
    s = { ...s, doc: { ...s.doc, layers: s.doc.layers.filter((l) => l.id !== b.id) } };
    const failed: { label: string; message: string }[] = [];
    s = undo(s, undefined, (f) => failed.push(f));
    expect(failed).toEqual([{ label: 'Add b', message: `no layer ${b.id}` }]);
    expect(s.past.map((p) => p.label)).toEqual(['Add a']);
    s = undo(s, undefined, (f) => failed.push(f));
    expect(s.doc.layers).toEqual([]);
    s = redo(s, undefined, (f) => failed.push(f));
    expect(s.doc.layers.map((l) => l.id)).toEqual([a.id]);
    expect(failed).toHaveLength(1);

    // A failing redo is dropped the same way, and the next redo still works.
    s = perform(initialUndo(createDocument(8, 8)), { type: 'addLayer', layer: a, index: 0 }, 'Add a');
    s = perform(s, { type: 'addLayer', layer: b, index: 1 }, 'Add b');
    s = undo(undo(s));
    s = { ...s, doc: { ...s.doc, layers: [a] } };
    s = redo(s, undefined, (f) => failed.push(f));
    expect(failed[1]).toMatchObject({ label: 'Add a', message: `layer ${a.id} exists` });
    s = redo(s, undefined, (f) => failed.push(f));
    expect(s.doc.layers.map((l) => l.id)).toEqual([a.id, b.id]);
    expect(s.future).toHaveLength(0);
  });
});
