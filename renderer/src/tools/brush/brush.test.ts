import { describe, expect, it } from 'vitest';
import { testEditor } from '../testEditor.js';

describe('Brush and Eraser', () => {
  it('a stroke paints the mask and is one undo step; undo/redo restore the pixels', () => {
    const e = testEditor(128);
    e.state.setBrush({ brushSize: 10 });
    e.use('brush').drag([20, 20], [100, 20], 8);
    const px = (x: number, y: number) => e.surface.data[y * 128 + x];
    expect(px(60, 20)).toBe(255);
    expect(px(60, 40)).toBe(0);
    expect(e.state.undoHistory.past.at(-1)?.label).toBe('Paint mask');
    e.state.undo();
    expect(px(60, 20)).toBe(0);
    e.state.redo();
    expect(px(60, 20)).toBe(255);
    expect(e.surface.read({ x: 60, y: 20, width: 1, height: 1 })[0]).toBe(255);
  });

  it('the eraser clears, Escape discards a stroke in progress', () => {
    const e = testEditor(128);
    e.state.setBrush({ brushSize: 12 });
    e.use('brush').drag([10, 64], [118, 64]);
    e.use('eraser').drag([64, 40], [64, 90]);
    expect(e.surface.data[64 * 128 + 64]).toBe(0);
    expect(e.surface.data[64 * 128 + 20]).toBe(255);
    expect(e.state.undoHistory.past.at(-1)?.label).toBe('Erase mask');
    const steps = e.state.undoHistory.past.length;
    e.down(20, 64).move(40, 64).escape();
    expect(e.surface.data[64 * 128 + 30]).toBe(255);
    expect(e.state.undoHistory.past.length).toBe(steps);
  });

  it('Clear mask empties the mask as one undo step', () => {
    const e = testEditor(64);
    e.state.setBrush({ brushSize: 8 });
    e.use('brush').drag([8, 8], [56, 56]);
    const steps = e.state.undoHistory.past.length;
    e.state.clearMask();
    expect(e.surface.data.every((v) => v === 0)).toBe(true);
    expect(e.state.undoHistory.past.length).toBe(steps + 1);
    e.state.clearMask();
    expect(e.state.undoHistory.past.length).toBe(steps + 1);
    e.state.undo();
    expect(e.surface.data[32 * 64 + 32]).toBe(255);
  });

  it('picking Brush or Eraser shows a hidden mask again; other tools leave it hidden', () => {
    const e = testEditor(64);
    for (const tool of ['brush', 'eraser'] as const) {
      e.state.setMaskHidden(true);
      e.use('move');
      expect(e.state.maskHidden).toBe(true);
      e.use(tool);
      expect(e.state.maskHidden).toBe(false);
    }
  });
});
