import { describe, expect, it } from 'vitest';
import type { GroupLayer, Layer, RasterLayer } from '../../../electron/contract/document.js';
import { applyCommand } from '../document/commands.js';
import { createDocument } from '../document/newDocument.js';
import { layerRows, removeCommand, stackMove } from './layerStack.js';

const raster = (id: string, parentId?: string): RasterLayer => ({
  id, kind: 'raster', name: id, x: 0, y: 0, width: 4, height: 4, opacity: 1, visible: true, blendMode: 'normal', imageId: 'a'.repeat(64), ...(parentId ? { parentId } : {}),
});
const group = (id: string, parentId?: string): GroupLayer => ({ id, kind: 'group', name: id, opacity: 0.5, visible: true, blendMode: 'multiply', ...(parentId ? { parentId } : {}) });

// bottom→top: bg, G { a, H { b } }, top  (the group entry sits where G is listed)
const layers: Layer[] = [raster('bg'), group('G'), raster('a', 'G'), group('H', 'G'), raster('b', 'H'), raster('top')];
const ids = (ls: Layer[]) => ls.map((l) => l.id);

describe('layerStack: the Layers panel reads the same tree as the compositor', () => {
  it('lists top first with depths; a collapsed group hides what it holds', () => {
    expect(layerRows(layers, new Set()).map((r) => `${r.layer.id}@${r.depth}`)).toEqual(['top@0', 'G@0', 'H@1', 'b@2', 'a@1', 'bg@0']);
    expect(layerRows(layers, new Set(['H'])).map((r) => r.layer.id)).toEqual(['top', 'G', 'H', 'a', 'bg']);
    expect(layerRows(layers, new Set()).find((r) => r.layer.id === 'G')?.childCount).toBe(2);
    const hiddenH = layers.map((l) => (l.id === 'H' ? { ...l, visible: false } : l));
    expect(layerRows(hiddenH, new Set()).filter((r) => r.hiddenByGroup).map((r) => r.layer.id)).toEqual(['b']);
  });

  it('raise / lower move past the neighbour in the same group, and stop at its ends', () => {
    const doc = { ...createDocument(8, 8), layers };
    const raiseG = stackMove(layers, 'G', 1)!;
    expect(ids(applyCommand(doc, raiseG).doc.layers.filter((l) => !l.parentId))).toEqual(['bg', 'top', 'G']);
    const raiseA = stackMove(layers, 'a', 1)!;
    const after = applyCommand(doc, raiseA).doc.layers;
    expect(layerRows(after, new Set()).map((r) => r.layer.id)).toEqual(['top', 'G', 'a', 'H', 'b', 'bg']);
    expect(stackMove(layers, 'top', 1)).toBeNull();
    expect(stackMove(layers, 'b', 1)).toBeNull();
    expect(stackMove(layers, 'bg', -1)).toBeNull();
    expect(stackMove(layers, 'missing', 1)).toBeNull();
  });

  it('deleting a group deletes what it holds in one step, and undo puts every layer back in place', () => {
    const doc = { ...createDocument(8, 8), layers };
    const removed = applyCommand(doc, removeCommand(layers, 'G'));
    expect(ids(removed.doc.layers)).toEqual(['bg', 'top']);
    expect(ids(applyCommand(removed.doc, removed.inverse).doc.layers)).toEqual(ids(layers));
    expect(removeCommand(layers, 'b')).toEqual({ type: 'removeLayer', id: 'b' });
  });
});
