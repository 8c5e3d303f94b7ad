import { beforeEach, describe, expect, it } from 'vitest';
import type { GeneratedImageRef } from '../../../electron/contract/api.js';
import { rasterLayer } from '../document/newDocument.js';
import { testEditor } from '../tools/testEditor.js';
import { discardStaged, keepStaged, landJobResult, type JobResultContext } from './resultLayers.js';

const images: GeneratedImageRef[] = [42, 43, 44, 45].map((seed, i) => ({ imageId: String(i + 1).repeat(64), width: 128, height: 128, seed, historyEntryId: 'entry-1' }));

describe('a finished job on the real store: one image lands, a batch is chosen from', () => {
  let ed: ReturnType<typeof testEditor>;
  let ctx: JobResultContext;
  beforeEach(() => {
    ed = testEditor(256);
    ctx = { documentId: ed.doc.id, frame: { x: 64, y: 64, width: 128, height: 128 }, mode: 'txt2img', prompt: 'a lighthouse, dusk', model: 'sd15-tiny' };
  });

  it('one image becomes a layer named with prompt and seed, one undo step', () => {
    landJobResult(ctx, images.slice(0, 1));
    expect(ed.doc.layers.map((l) => l.name)).toEqual(['a lighthouse · seed 42']);
    expect(ed.state.staging).toBeNull();
    expect(ed.doc.historyEntryIds).toEqual(['entry-1']);
    expect(ed.state.undoHistory.past.map((p) => p.label)).toEqual(['Generate']);
  });

  it('a batch opens the chooser and adds nothing; Keep adds the picked ones as layers in one undo step', () => {
    landJobResult(ctx, images);
    expect(ed.doc.layers).toHaveLength(0);
    expect(ed.state.staging?.images.map((i) => i.seed)).toEqual([42, 43, 44, 45]);
    ed.state.togglePicked(3);
    ed.state.togglePicked(1);
    ed.state.togglePicked(2);
    ed.state.togglePicked(2);
    expect(ed.state.staging).toMatchObject({ picked: [1, 3], shown: 2 });
    keepStaged();
    expect(ed.state.staging).toBeNull();
    expect(ed.doc.layers.map((l) => [l.name, l.kind === 'raster' && l.imageId[0], l.kind === 'raster' && l.x])).toEqual([
      ['a lighthouse · seed 43', '2', 64], ['a lighthouse · seed 45', '4', 64],
    ]);
    const source = ed.doc.layers[1]!.kind === 'raster' ? ed.doc.layers[1]!.source : undefined;
    expect(source).toMatchObject({ historyEntryId: 'entry-1', model: 'sd15-tiny' });
    expect(ed.state.undoHistory.past.map((p) => p.label)).toEqual(['Keep 2 variations']);
    ed.state.undo();
    expect(ed.doc.layers).toHaveLength(0);
  });

  it('Discard keeps nothing and is no undo step; a chooser for another document keeps nothing there', () => {
    landJobResult(ctx, images);
    discardStaged();
    expect([ed.doc.layers.length, ed.state.undoHistory.past.length, ed.state.staging]).toEqual([0, 0, null]);
    landJobResult({ ...ctx, documentId: 'another-document' }, images);
    keepStaged([0]);
    expect(ed.doc.layers).toHaveLength(0);
  });

  it('a frame past the right and bottom edges grows the document, in the same undo step', () => {
    landJobResult({ ...ctx, frame: { x: 192, y: 200, width: 128, height: 128 } }, images.slice(0, 1));
    expect([ed.doc.width, ed.doc.height]).toEqual([320, 328]);
    ed.state.undo();
    expect([ed.doc.width, ed.doc.height, ed.doc.layers.length]).toEqual([256, 256, 0]);
  });

  it('a frame past the left and top edges grows the document there: everything moves by the overhang', () => {
    const old = rasterLayer('old', 'f'.repeat(64), { x: 0, y: 0, width: 256, height: 256 }, { mask: { imageId: 'e'.repeat(64), x: 8, y: 8, width: 64, height: 64 } });
    ed.state.perform({ type: 'addLayer', layer: old, index: 0 }, 'Add');
    ed.state.perform({ type: 'setFrame', frame: { x: -64, y: -32, width: 128, height: 128 } }, 'Move frame');
    landJobResult({ ...ctx, frame: { x: -64, y: -32, width: 128, height: 128 } }, images.slice(0, 1));
    expect([ed.doc.width, ed.doc.height]).toEqual([320, 288]);
    const [moved, added] = ed.doc.layers;
    expect(moved).toMatchObject({ x: 64, y: 32, mask: { x: 72, y: 40 } });
    expect(added).toMatchObject({ x: 0, y: 0, width: 128, height: 128 });
    expect(ed.doc.generationFrame).toMatchObject({ x: 0, y: 0 });
    ed.state.undo();
    expect(ed.doc.layers[0]).toMatchObject({ x: 0, y: 0, mask: { x: 8, y: 8 } });
    expect([ed.doc.width, ed.doc.height]).toEqual([256, 256]);
  });
});
