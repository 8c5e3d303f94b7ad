import { describe, expect, it } from 'vitest';
import { rasterLayer } from '../../document/newDocument.js';
import { setStrokePainter } from '../paint/strokePainter.js';
import { RecordingPainter } from '../recordingPainter.js';
import { testEditor } from '../testEditor.js';

describe('Eraser on a Control layer', () => {
  function withControlLayer(visible = true) {
    const p = new RecordingPainter();
    setStrokePainter(p);
    const e = testEditor(64);
    const layer = rasterLayer('Control 1', 'a'.repeat(64), { x: 0, y: 0, width: 64, height: 64 }, { role: 'control', visible });
    e.state.perform({ type: 'addLayer', layer, index: 0 }, 'Add Control layer');
    e.state.selectLayer(layer.id);
    e.state.setBrush({ brushSize: 7 });
    return { e, p };
  }

  it("erases the selected Control layer's sketch (one erase stroke through the painter), not the mask", () => {
    const { e, p } = withControlLayer();
    e.use('brush').drag([4, 32], [60, 32]);
    const masked = e.surface.data[32 * 64 + 30];
    p.calls.length = 0;
    e.use('eraser').drag([30, 10], [30, 50], 2);
    expect(p.calls).toEqual(['begin 30,10 7 rgba(128, 128, 128, 0.7) erase', 'to 30,30', 'to 30,50', 'to 30,50', 'end']);
    expect(e.surface.data[32 * 64 + 30]).toBe(masked); // the mask is untouched
    expect(e.runner.stateName).toBe('idle');
  });

  it('Escape keeps the sketch; with an image layer (or a hidden Control layer) selected the eraser clears the mask as before', () => {
    const { e, p } = withControlLayer();
    e.use('eraser').down(5, 5).move(9, 9).escape();
    expect(p.calls.at(-1)).toBe('cancel');
    const hidden = withControlLayer(false);
    hidden.e.use('brush').drag([4, 32], [60, 32]);
    hidden.e.use('eraser').drag([30, 10], [30, 50]);
    expect(hidden.p.calls).toEqual([]);
    expect(hidden.e.surface.data[32 * 64 + 30]).toBe(0);
    expect(hidden.e.state.undoHistory.past.at(-1)?.label).toBe('Erase mask');
  });
});
