import type { ToolState } from '../toolTypes.js';
import type { HandState, PanStart } from './index.js';

/** Hand, waiting: a press starts panning (also used while Space is held). */
export const handIdle: ToolState<HandState, PanStart> = {
  onPointerDown(editor, memo, p) {
    const { panX, panY } = editor.store;
    memo.sx = p.sx;
    memo.sy = p.sy;
    memo.panX = panX;
    memo.panY = panY;
    return 'panning';
  },
};
