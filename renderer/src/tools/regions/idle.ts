import { regionAt } from '../../document/regions.js';
import type { ToolState } from '../toolTypes.js';
import type { RegionStart, RegionsState } from './index.js';

/** Regions tool, waiting: a press on a region selects it (its prompt opens in the panel); elsewhere draws a new one. */
export const regionsIdle: ToolState<RegionsState, RegionStart> = {
  hoverCursor(editor, p) {
    return regionAt(editor.doc.regions ?? [], p.x, p.y) ? 'pointer' : 'crosshair';
  },
  onPointerDown(editor, memo, p) {
    const hit = regionAt(editor.doc.regions ?? [], p.x, p.y);
    if (hit) {
      editor.store.selectRegion(hit.id);
      return;
    }
    memo.startX = p.x;
    memo.startY = p.y;
    return 'drawing';
  },
};
