import type { ToolState } from '../toolTypes.js';
import type { MaskBrushState } from './index.js';

/** Brush, waiting: a press starts a stroke into the mask bitmap (the Eraser's own idle decides what it clears). */
export const paintIdle: ToolState<MaskBrushState, null> = {
  onPointerDown(editor, _memo, p) {
    const { brushSize, brushHardness } = editor.store;
    editor.mask.beginStroke(p.x, p.y, brushSize, brushHardness, false);
    return 'painting';
  },
};
