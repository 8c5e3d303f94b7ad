import { frameGrip, type FrameGrip } from '../../document/hitTest.js';
import type { ToolState } from '../toolTypes.js';
import type { FrameDrag, FrameState } from './index.js';

/** Frame tool, waiting: a press inside moves the frame, on an edge resizes it, outside draws a new one. */
const CURSORS: Record<FrameGrip, string> = {
  inside: 'move', outside: 'crosshair', n: 'ns-resize', s: 'ns-resize', e: 'ew-resize', w: 'ew-resize',
  ne: 'nesw-resize', sw: 'nesw-resize', nw: 'nwse-resize', se: 'nwse-resize',
};

export const frameIdle: ToolState<FrameState, FrameDrag> = {
  hoverCursor(editor, p) {
    return CURSORS[frameGrip(editor.doc.generationFrame, p.x, p.y, 8 / editor.store.zoom)];
  },
  onPointerDown(editor, memo, p) {
    const frame = editor.doc.generationFrame;
    memo.grip = frameGrip(frame, p.x, p.y, 8 / editor.store.zoom);
    memo.start = { ...frame };
    memo.startX = p.x;
    memo.startY = p.y;
    return 'dragging';
  },
};
