import type { ToolState } from '../toolTypes.js';
import type { MaskBrushState } from './index.js';

/**
 * Brush/Eraser, painting: each pointer move stamps one segment into the bitmap (measured as
 * `brush-segment` for the UI benchmark); pointer-up commits the stroke as one undo patch.
 */
export function paintPainting(erase: boolean): ToolState<MaskBrushState, null> {
  return {
    status: 'Release to finish the stroke (one undo step) · Esc discards it',
    everyMove: true,
    onPointerMove(editor, _memo, p) {
      const t = performance.now();
      editor.mask.strokeTo(p.x, p.y);
      performance.measure('brush-segment', { start: t, end: performance.now() });
    },
    onPointerUp(editor, _memo, p) {
      editor.mask.strokeTo(p.x, p.y);
      const t = performance.now();
      const patch = editor.mask.endStroke();
      // The bitmap already shows the stroke: record the step without writing the pixels again.
      if (patch) editor.store.recordMaskStroke(patch, erase ? 'Erase mask' : 'Paint mask');
      performance.measure('brush-commit', { start: t, end: performance.now() });
      return 'idle';
    },
    onCancel(editor) {
      editor.mask.cancelStroke();
      return 'idle';
    },
  };
}
