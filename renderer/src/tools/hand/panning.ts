import type { ToolState } from '../toolTypes.js';
import type { HandState, PanStart } from './index.js';

/** Hand, panning: the viewport follows the pointer (view state, never an undo step). */
export const handPanning: ToolState<HandState, PanStart> = {
  onPointerMove(editor, memo, p) {
    editor.store.setView({ panX: memo.panX + p.sx - memo.sx, panY: memo.panY + p.sy - memo.sy });
  },
  onPointerUp: () => 'idle',
  onCancel(editor, memo) {
    editor.store.setView({ panX: memo.panX, panY: memo.panY });
    return 'idle';
  },
};
