import { regionAt } from '../../document/regions.js';
import { useStore } from '../../state/store.js';
import type { ToolState } from '../toolTypes.js';

/** Regions tool, waiting: a press on a region selects it (its prompt opens in the panel); elsewhere draws a new one. */
export const regionsIdle: ToolState = {
  hoverCursor(p) {
    return regionAt(useStore.getState().undoHistory.doc.regions ?? [], p.x, p.y) ? 'pointer' : 'crosshair';
  },
  onPointerDown(memo, p) {
    const s = useStore.getState();
    const hit = regionAt(s.undoHistory.doc.regions ?? [], p.x, p.y);
    if (hit) {
      s.selectRegion(hit.id);
      return;
    }
    memo.startX = p.x;
    memo.startY = p.y;
    return 'drawing';
  },
};
