import { paintSurface } from '../../state/paintSurfaceRegistry.js';
import { useStore } from '../../state/store.js';
import type { ToolState } from '../toolTypes.js';

/**
 * Brush/Eraser, painting: each pointer move stamps one segment into the bitmap (measured as
 * `brush-segment` for the UI benchmark); pointer-up commits the stroke as one undo patch.
 */
export function paintPainting(erase: boolean): ToolState {
  return {
    onPointerMove(_memo, p) {
      const t = performance.now();
      paintSurface().strokeTo(p.x, p.y);
      performance.measure('brush-segment', { start: t, end: performance.now() });
    },
    onPointerUp(_memo, p) {
      paintSurface().strokeTo(p.x, p.y);
      const t = performance.now();
      const patch = paintSurface().endStroke();
      // The bitmap already shows the stroke: record the step without writing the pixels again.
      if (patch) useStore.getState().recordMaskStroke(patch, erase ? 'Erase mask' : 'Paint mask');
      performance.measure('brush-commit', { start: t, end: performance.now() });
      return 'idle';
    },
    onCancel() {
      paintSurface().cancelStroke();
      return 'idle';
    },
  };
}
