import type { ToolState } from '../toolTypes.js';
import type { MaskBrushState } from './index.js';

/** Brush/Eraser, waiting: a press starts a stroke into the mask bitmap. */
export function paintIdle(erase: boolean): ToolState<MaskBrushState, null> {
  return {
    onPointerDown(editor, _memo, p) {
      const { brushSize, brushHardness } = editor.store;
      editor.mask.beginStroke(p.x, p.y, brushSize, brushHardness, erase);
      return 'painting';
    },
  };
}
