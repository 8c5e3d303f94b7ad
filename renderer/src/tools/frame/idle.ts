import { frameGrip } from '../../document/hitTest.js';
import { useStore } from '../../state/store.js';
import type { ToolState } from '../toolTypes.js';

/** Frame tool, waiting: a press inside moves the frame, on an edge resizes it, outside draws a new one. */
export const frameIdle: ToolState = {
  onPointerDown(memo, p) {
    const s = useStore.getState();
    const frame = s.history.doc.generationFrame;
    const grip = frameGrip(frame, p.x, p.y, 8 / s.zoom);
    memo.grip = grip;
    memo.start = { ...frame };
    memo.startX = p.x;
    memo.startY = p.y;
    return 'dragging';
  },
};
