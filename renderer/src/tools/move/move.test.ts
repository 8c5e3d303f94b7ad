import { describe, expect, it } from 'vitest';
import { testEditor } from '../testEditor.js';

describe('Move tool', () => {
  it('idle → dragging → idle: a drag moves the layer under the pointer as one undo step', () => {
    const e = testEditor();
    e.addLayer('bottom', 0, 0, 100, 100);
    const top = e.addLayer('top', 50, 50, 100, 100);
    const steps = e.state.undoHistory.past.length;
    e.use('move').down(60, 60);
    expect(e.runner.stateName).toBe('dragging');
    e.move(70, 65).move(90, 80);
    expect(e.state.session.layerDrag).toEqual({ id: top, dx: 30, dy: 20 });
    // Nothing committed mid-gesture.
    expect(e.doc.layers[1]).toMatchObject({ x: 50, y: 50 });
    e.up(90, 80);
    expect(e.runner.stateName).toBe('idle');
    expect(e.doc.layers[1]).toMatchObject({ x: 80, y: 70 });
    expect(e.state.selectedLayerId).toBe(top);
    expect(e.state.undoHistory.past.length).toBe(steps + 1);
    e.state.undo();
    expect(e.doc.layers[1]).toMatchObject({ x: 50, y: 50 });
  });

  it('Escape drops the drag; a press on empty canvas deselects', () => {
    const e = testEditor();
    e.addLayer('a', 0, 0);
    const steps = e.state.undoHistory.past.length;
    e.use('move').down(10, 10).move(40, 40).escape();
    expect(e.state.session).toEqual({});
    expect(e.doc.layers[0]).toMatchObject({ x: 0, y: 0 });
    expect(e.state.undoHistory.past.length).toBe(steps);
    e.down(200, 200).up(200, 200);
    expect(e.state.selectedLayerId).toBeNull();
  });

  it('a click without movement is no undo step', () => {
    const e = testEditor();
    e.addLayer('a', 0, 0);
    const steps = e.state.undoHistory.past.length;
    e.use('move').down(10, 10).up(10, 10);
    expect(e.state.undoHistory.past.length).toBe(steps);
  });
});
