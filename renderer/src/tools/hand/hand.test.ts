import { describe, expect, it } from 'vitest';
import { testEditor } from '../testEditor.js';

describe('Hand tool', () => {
  it('pans the view without an undo step; Escape puts the view back', () => {
    const e = testEditor();
    const steps = e.state.undoHistory.past.length;
    e.use('hand').drag([100, 100], [160, 130]);
    expect([e.state.panX, e.state.panY]).toEqual([60, 30]);
    expect(e.state.undoHistory.past.length).toBe(steps);
    e.down(0, 0).move(50, 50).escape();
    expect([e.state.panX, e.state.panY]).toEqual([60, 30]);
  });
});
