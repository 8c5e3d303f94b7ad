import { useStore } from '../../state/store.js';
import type { ToolState } from '../toolTypes.js';

/** Hand, panning: the viewport follows the pointer (view state, never an undo step). */
export const handPanning: ToolState = {
  onPointerMove(memo, p) {
    useStore.getState().setView({ panX: (memo.panX as number) + p.sx - (memo.sx as number), panY: (memo.panY as number) + p.sy - (memo.sy as number) });
  },
  onPointerUp: () => 'idle',
  onCancel(memo) {
    useStore.getState().setView({ panX: memo.panX as number, panY: memo.panY as number });
    return 'idle';
  },
};
