import { useStore } from '../../state/store.js';
import type { ToolState } from '../toolTypes.js';
import { strokePainter } from './strokePainter.js';

/** Paint, waiting: a press starts a colour stroke. */
export const paintColourIdle: ToolState = {
  onPointerDown(_memo, p) {
    const { brushSize, brushHardness, paintColour } = useStore.getState();
    strokePainter().begin(p.x, p.y, brushSize, brushHardness, paintColour);
    return 'painting';
  },
};
