import { frameGrip, type FrameGrip } from '../../document/hitTest.js';
import { useStore } from '../../state/store.js';
import type { ToolState } from '../toolTypes.js';

/** Frame tool, waiting: a press inside moves the frame, on an edge resizes it, outside draws a new one. */
const CURSORS: Record<FrameGrip, string> = {
  inside: 'move', outside: 'crosshair', n: 'ns-resize', s: 'ns-resize', e: 'ew-resize', w: 'ew-resize',
  ne: 'nesw-resize', sw: 'nesw-resize', nw: 'nwse-resize', se: 'nwse-resize',
};

export const frameIdle: ToolState = {
  hoverCursor(p) {
    const s = useStore.getState();
    return CURSORS[frameGrip(s.undoHistory.doc.generationFrame, p.x, p.y, 8 / s.zoom)];
  },
  onPointerDown(memo, p) {
    const s = useStore.getState();
    const frame = s.undoHistory.doc.generationFrame;
    const grip = frameGrip(frame, p.x, p.y, 8 / s.zoom);
    memo.grip = grip;
    memo.start = { ...frame };
    memo.startX = p.x;
    memo.startY = p.y;
    return 'dragging';
  },
};
