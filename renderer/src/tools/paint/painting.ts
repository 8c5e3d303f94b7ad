import type { ToolState } from '../toolTypes.js';
import { strokePainter } from './strokePainter.js';

/** Paint, painting: segments are drawn as the pointer moves; pointer-up commits the stroke (one undo step). */
export const paintColourPainting: ToolState = {
  onPointerMove(_memo, p) {
    strokePainter().to(p.x, p.y);
  },
  onPointerUp(_memo, p) {
    strokePainter().to(p.x, p.y);
    performance.mark('paint-stroke-end');
    void strokePainter().end();
    return 'idle';
  },
  onCancel() {
    strokePainter().cancel();
    return 'idle';
  },
};
