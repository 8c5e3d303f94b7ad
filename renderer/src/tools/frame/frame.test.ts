import { describe, expect, it } from 'vitest';
import { testEditor } from '../testEditor.js';

describe('Frame tool', () => {
  it('drawing outside the frame makes a new frame snapped to 8, one undo step on release', () => {
    const e = testEditor(1024);
    const steps = e.state.undoHistory.past.length;
    e.use('frame').down(600, 600).move(700, 650);
    expect(e.state.session.frame).toEqual({ x: 600, y: 600, width: 104, height: 64 });
    e.up(703, 701);
    expect(e.doc.generationFrame).toEqual({ x: 600, y: 600, width: 104, height: 104 });
    expect(e.state.undoHistory.past.length).toBe(steps + 1);
    e.state.undo();
    expect(e.doc.generationFrame).toEqual({ x: 0, y: 0, width: 512, height: 512 });
  });

  it('dragging inside moves it; dragging a corner resizes it; sizes stay within 64..4096', () => {
    const e = testEditor(1024);
    e.use('frame').drag([100, 100], [133, 117]);
    expect(e.doc.generationFrame).toEqual({ x: 32, y: 16, width: 512, height: 512 });
    e.drag([544, 528], [300, 300]);
    expect(e.doc.generationFrame).toEqual({ x: 32, y: 16, width: 272, height: 288 });
    e.drag([304, 304], [0, 0]);
    expect(e.doc.generationFrame.width).toBeGreaterThanOrEqual(64);
  });

  it('Escape leaves the frame as it was', () => {
    const e = testEditor();
    const before = e.doc.generationFrame;
    e.use('frame').down(10, 10).move(90, 90).escape();
    expect(e.doc.generationFrame).toEqual(before);
    expect(e.state.session).toEqual({});
  });
});
