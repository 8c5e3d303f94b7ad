import type { ToolState } from '../toolTypes.js';
import type { PaintState } from './index.js';

/** Paint, waiting: a press starts a colour stroke. */
export const paintColourIdle: ToolState<PaintState, null> = {
  onPointerDown(editor, _memo, p) {
    const { brushSize, brushHardness, paintColour } = editor.store;
    editor.painter.begin(p.x, p.y, brushSize, brushHardness, paintColour);
    return 'painting';
  },
};
