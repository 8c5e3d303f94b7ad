import { paintSurface } from '../../state/paintSurfaceRegistry.js';
import { useStore } from '../../state/store.js';
import type { ToolState } from '../toolTypes.js';

/** Brush/Eraser, waiting: a press starts a stroke into the mask bitmap. */
export function paintIdle(erase: boolean): ToolState {
  return {
    onPointerDown(_memo, p) {
      const { brushSize, brushHardness } = useStore.getState();
      paintSurface().beginStroke(p.x, p.y, brushSize, brushHardness, erase);
      return 'painting';
    },
  };
}
