import { beforeEach, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../electron/contract/api.js';
import type { RasterLayer } from '../../../electron/contract/document.js';
import { testEditor } from '../tools/testEditor.js';
import { useStore } from '../state/store.js';
import { addToCanvas, useAsInitImage, useSettings } from './historyActions.js';

const entry: HistoryEntry = {
  id: '0f0e0d0c-0000-4000-8000-000000000001', imageId: 'a'.repeat(64), width: 192, height: 128, prompt: 'a lighthouse, dusk', seed: 4242,
  mode: 'txt2img', createdAt: 1, model: 'sd15-tiny', favourite: false,
  settings: {
    mode: 'txt2img', prompt: 'a lighthouse, dusk', negativePrompt: 'blurry', width: 192, height: 128, steps: 9, guidance: 5.5, scheduler: 'dpmpp-2m-karras',
    seed: 4242, batch: 1, strength: 0.6, maskFeather: 4, colorMatch: false, blend: 'linear', prefill: 'patch',
  },
};

describe('History panel actions on the real store (headless editor)', () => {
  let ed: ReturnType<typeof testEditor>;
  const messages: { notice?: string; error?: string }[] = [];
  const report = (m: { notice?: string; error?: string }) => void messages.push(m);
  beforeEach(() => {
    ed = testEditor(512);
    messages.length = 0;
    useStore.getState().setGenerate({ models: [{ id: 'sd15-tiny', name: 'sd15-tiny', family: 'sd1' }, { id: 'other', name: 'other', family: 'sd1' }], modelId: 'other' });
  });

  it('Use settings fills every field, locks the seed, picks the model and sizes the frame in one undo step', () => {
    useSettings(entry, report);
    const s = ed.state;
    const st = s.settings;
    expect({ prompt: st.prompt, negativePrompt: st.negativePrompt, steps: st.steps, guidance: st.guidance, scheduler: st.scheduler, seed: st.seed, seedLocked: s.seedLocked, strength: st.strength, modelId: s.modelId })
      .toEqual({ prompt: 'a lighthouse, dusk', negativePrompt: 'blurry', steps: 9, guidance: 5.5, scheduler: 'dpmpp-2m-karras', seed: 4242, seedLocked: true, strength: 0.6, modelId: 'sd15-tiny' });
    expect({ colorMatch: st.colorMatch, blend: st.blend, prefill: st.prefill }).toEqual({ colorMatch: false, blend: 'linear', prefill: 'patch' });
    expect(ed.doc.generationFrame).toMatchObject({ width: 192, height: 128 });
    expect(s.undoHistory.past.map((p) => p.label)).toEqual(['Use settings']);
    s.undo();
    expect(ed.doc.generationFrame).toMatchObject({ width: 512, height: 512 });
    expect(messages.at(-1)).toEqual({ notice: 'Settings filled in from the history entry.' });
  });

  it('Use settings refills the Control section: each stored map back as a Control layer the row follows, in the same undo step', () => {
    const controls = [
      { model: 'controlnet-sd15-tiny', imageId: 'b'.repeat(64), type: 'scribble' as const, scale: 0.8, start: 0.1, end: 0.9 },
      { model: 'controlnet-sd15-tiny-b', imageId: 'c'.repeat(64), type: 'canny' as const, scale: 1.2, start: 0, end: 1 },
    ];
    useStore.getState().replaceControls([{ model: 'old', type: 'canny', source: '', scale: 1, start: 0, end: 1 }]);
    useSettings({ ...entry, settings: { ...entry.settings!, controls } }, report);
    const s = useStore.getState();
    const layers = ed.doc.layers.filter((l): l is RasterLayer => l.kind === 'raster');
    expect(layers.map((l) => ({ name: l.name, role: l.role, imageId: l.imageId, blendMode: l.blendMode, x: l.x, y: l.y, width: l.width, height: l.height })))
      .toEqual([
        { name: 'Control 1', role: 'control', imageId: 'b'.repeat(64), blendMode: 'screen', x: 0, y: 0, width: 192, height: 128 },
        { name: 'Control 2', role: 'control', imageId: 'c'.repeat(64), blendMode: 'screen', x: 0, y: 0, width: 192, height: 128 },
      ]);
    // The layers hold maps already preprocessed: the rows take them as they are ('none'), with the entry's strength and range.
    expect(s.controls.map(({ id: _id, ...r }) => r)).toEqual([
      { model: 'controlnet-sd15-tiny', type: 'none', source: layers[0]!.id, scale: 0.8, start: 0.1, end: 0.9 },
      { model: 'controlnet-sd15-tiny-b', type: 'none', source: layers[1]!.id, scale: 1.2, start: 0, end: 1 },
    ]);
    expect(s.undoHistory.past.map((p) => p.label)).toEqual(['Use settings']);
    expect(messages.at(-1)?.notice).toBe('Settings filled in from the history entry. Its 2 control maps are back as Control layers.');
    s.undo();
    expect(ed.doc.layers).toEqual([]);
    expect(ed.doc.generationFrame).toMatchObject({ width: 512, height: 512 });
    // An entry made without controls leaves none in the section (Generate would otherwise not repeat it).
    useSettings(entry, report);
    expect(useStore.getState().controls).toEqual([]);
  });

  it("Use settings keeps the current model when the entry's is not installed, and says so", () => {
    useSettings({ ...entry, model: 'gone' }, report);
    expect(ed.state.modelId).toBe('other');
    expect(messages.at(-1)?.notice).toMatch(/model "gone" is not installed/);
  });

  it('Add to canvas: the image at the frame, the frame takes its size, the layer keeps its source; one undo step', () => {
    addToCanvas(entry);
    const [layer] = ed.doc.layers;
    expect(layer).toMatchObject({ kind: 'raster', imageId: entry.imageId, x: 0, y: 0, width: 192, height: 128, name: 'a lighthouse', source: { historyEntryId: entry.id, model: 'sd15-tiny' } });
    expect(ed.state.selectedLayerId).toBe(layer.id);
    expect(ed.doc.generationFrame).toMatchObject({ width: 192, height: 128 });
    ed.state.undo();
    expect(ed.doc.layers).toEqual([]);
    expect(ed.doc.generationFrame).toMatchObject({ width: 512, height: 512 });
  });

  it('Use as init image places it and turns on "Use canvas as init"', () => {
    useStore.getState().setGenerate({ useCanvasAsInit: false });
    useAsInitImage(entry, report);
    expect(ed.doc.layers.map((l) => l.name)).toEqual(['Init: a lighthouse']);
    expect(ed.state.useCanvasAsInit).toBe(true);
    expect(ed.state.undoHistory.past).toHaveLength(1);
  });
});
