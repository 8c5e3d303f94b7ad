import { useStore } from '../../state/store.js';
import type { ToolState } from '../toolTypes.js';

/** Hand, waiting: a press starts panning (also used while Space is held). */
export const handIdle: ToolState = {
  onPointerDown(memo, p) {
    const { panX, panY } = useStore.getState();
    memo.sx = p.sx;
    memo.sy = p.sy;
    memo.panX = panX;
    memo.panY = panY;
    return 'panning';
  },
};
