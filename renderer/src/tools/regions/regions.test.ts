import { describe, expect, it } from 'vitest';
import { regionsForFrame } from '../../document/regions.js';
import { testEditor } from '../testEditor.js';

describe('Regions tool', () => {
  it('draws a region snapped to the 8-px grid, selects it, one undo step', () => {
    const e = testEditor(512);
    const steps = e.state.undoHistory.past.length;
    e.use('regions').down(10, 20).move(100, 200);
    expect(e.state.session.region).toEqual({ x: 8, y: 24, width: 96, height: 176 });
    e.up(131, 258);
    expect(e.doc.regions).toEqual([{ id: expect.any(String), x: 8, y: 24, width: 120, height: 232, prompt: '' }]);
    expect(e.state.selectedRegionId).toBe(e.doc.regions![0]!.id);
    expect(e.state.undoHistory.past.length).toBe(steps + 1);
    e.state.undo();
    expect(e.doc.regions).toEqual([]);
  });

  it('a press on a region selects it instead of drawing; a click without dragging adds nothing; Escape discards', () => {
    const e = testEditor(512);
    e.use('regions').drag([0, 0], [256, 512]).drag([256, 0], [512, 512]);
    const [left, right] = e.doc.regions!;
    e.down(50, 50).up(50, 50);
    expect(e.state.selectedRegionId).toBe(left!.id);
    expect(e.doc.regions).toHaveLength(2);
    e.down(300, 300).move(310, 310).escape();
    expect(e.doc.regions).toHaveLength(2);
    expect(e.state.session).toEqual({});
    expect(right!.x).toBe(256);
  });

  it('stops at 8 regions with a notice', () => {
    const e = testEditor(512);
    e.use('regions');
    for (let i = 0; i < 9; i++) e.drag([i * 48, 0], [i * 48 + 40, 40]);
    expect(e.doc.regions).toHaveLength(8);
    expect(e.state.notice).toMatch(/at most 8 regions/);
  });
});

describe('regions for a generation', () => {
  it('become frame-relative, clipped to the frame; outside or empty ones are left out', () => {
    const frame = { x: 100, y: 100, width: 256, height: 256 };
    const regions = [
      { id: 'a', x: 50, y: 100, width: 178, height: 256, prompt: ' a red circle ' },
      { id: 'b', x: 228, y: 100, width: 128, height: 256, prompt: 'a blue square', negativePrompt: 'green' },
      { id: 'c', x: 0, y: 0, width: 50, height: 50, prompt: 'outside' },
      { id: 'd', x: 100, y: 100, width: 50, height: 50, prompt: '  ' },
    ];
    expect(regionsForFrame(regions, frame)).toEqual([
      { x: 0, y: 0, width: 128, height: 256, prompt: 'a red circle' },
      { x: 128, y: 0, width: 128, height: 256, prompt: 'a blue square', negativePrompt: 'green' },
    ]);
  });
});
