import { describe, expect, it } from 'vitest';
import { testEditor } from '../testEditor.js';
import { RecordingPainter } from '../recordingPainter.js';
import { setStrokePainter } from './strokePainter.js';

describe('Paint tool', () => {
  it('a drag is one stroke in the brush size and colour, committed once on release', () => {
    const p = new RecordingPainter();
    setStrokePainter(p);
    const e = testEditor(64);
    e.state.setBrush({ brushSize: 9, paintColour: '#123456' });
    e.use('paint').drag([10, 10], [30, 10], 2);
    expect(p.calls).toEqual(['begin 10,10 9 #123456', 'to 20,10', 'to 30,10', 'to 30,10', 'end']);
    expect(e.runner.stateName).toBe('idle');
  });

  it('Escape drops the stroke in progress and commits nothing', () => {
    const p = new RecordingPainter();
    setStrokePainter(p);
    const e = testEditor(64);
    e.use('paint').down(5, 5).move(9, 9).escape();
    expect(p.calls).toEqual(['begin 5,5 32 #d8402f', 'to 9,9', 'cancel']);
    expect(e.state.undoHistory.past).toHaveLength(0);
  });
});
