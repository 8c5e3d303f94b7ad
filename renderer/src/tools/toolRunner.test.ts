import { describe, expect, it } from 'vitest';
import { defineTool, UnknownToolStateError } from './toolRunner.js';
import { testEditor } from './testEditor.js';
import { TOOLS } from './tools.js';

const at = (x: number, y: number) => ({ x, y, sx: x, sy: y, shift: false, alt: false });

describe('ToolRunner: the editor core tools plug into', () => {
  it('a transition to a state the tool does not have throws instead of leaving the tool stuck', () => {
    const e = testEditor(32);
    type S = 'idle' | 'dragging';
    const typo = defineTool<S, { presses: number }>({
      id: 'move', cursor: 'move', status: 'test', initial: 'idle', memo: () => ({ presses: 0 }),
      // A misspelled state name, as a tool written against an older state list would return it.
      states: { idle: { onPointerDown: (_e, memo) => { memo.presses++; return 'draging' as S; } }, dragging: {} },
    });
    const runner = typo.start(e.tools);
    expect(() => runner.pointerDown(at(1, 1))).toThrow(UnknownToolStateError);
    expect(() => runner.pointerDown(at(1, 1))).toThrow('tool "move" has no state "draging"');
    expect(runner.stateName).toBe('idle');
  });

  it('tools get the editor injected and keep typed state data per runner; hints come from the tool', () => {
    const e = testEditor(64);
    const seen: number[] = [];
    const counter = defineTool<'idle', { presses: number }>({
      id: 'hand', cursor: 'grab', status: 'count', initial: 'idle', memo: () => ({ presses: 0 }),
      states: { idle: { onPointerDown: (editor, memo) => { memo.presses++; seen.push(memo.presses, editor.doc.width); } } },
    });
    const a = counter.start(e.tools);
    a.pointerDown(at(0, 0));
    a.pointerDown(at(0, 0));
    counter.start(e.tools).pointerDown(at(0, 0));
    expect(seen).toEqual([1, 64, 2, 64, 1, 64]);
    expect(a.status).toBe('count');
    expect(a.idle).toBe(true);
    // What the canvas and toolbar read instead of branching on a tool's name.
    expect(Object.values(TOOLS).filter((t) => t.brush).map((t) => t.id).sort()).toEqual(['brush', 'eraser', 'paint']);
    expect(TOOLS.paint.brush?.colour).toBe(true);
    expect(TOOLS.brush.brush?.clearsMask).toBe(true);
  });

  it('a state owns its status line: the Move tool says how to finish while dragging', () => {
    const e = testEditor(128);
    e.addLayer('a', 0, 0);
    e.use('move').down(10, 10);
    expect(e.runner.status).toMatch(/Release to place/);
    e.up(20, 20);
    expect(e.runner.status).toBe(TOOLS.move.status);
  });
});
