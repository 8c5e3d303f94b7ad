import type { ToolState } from '../toolTypes.js';
import type { EraserState } from './index.js';

/** Eraser on a Control layer: segments follow the pointer; pointer-up commits the erase (one undo step). */
export const erasingLayer: ToolState<EraserState, null> = {
  status: 'Release to erase (one undo step) · Esc keeps the sketch as it was',
  everyMove: true,
  onPointerMove(editor, _memo, p) {
    editor.painter.to(p.x, p.y);
  },
  onPointerUp(editor, _memo, p) {
    editor.painter.to(p.x, p.y);
    void editor.painter.end();
    return 'idle';
  },
  onCancel(editor) {
    editor.painter.cancel();
    return 'idle';
  },
};
