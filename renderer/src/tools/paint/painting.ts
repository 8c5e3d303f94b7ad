import type { ToolState } from '../toolTypes.js';
import type { PaintState } from './index.js';

/** Paint, painting: segments are drawn as the pointer moves; pointer-up commits the stroke (one undo step). */
export const paintColourPainting: ToolState<PaintState, null> = {
  status: 'Release to commit the stroke (one undo step) · Esc discards it',
  everyMove: true,
  onPointerMove(editor, _memo, p) {
    editor.painter.to(p.x, p.y);
  },
  onPointerUp(editor, _memo, p) {
    editor.painter.to(p.x, p.y);
    performance.mark('paint-stroke-end');
    void editor.painter.end();
    return 'idle';
  },
  onCancel(editor) {
    editor.painter.cancel();
    return 'idle';
  },
};
