import { layerAt } from '../../document/hitTest.js';
import { useStore } from '../../state/store.js';
import type { ToolState } from '../toolTypes.js';

/** Move tool, waiting: a press picks the layer under the pointer (or keeps the selected one) and starts a drag. */
export const moveIdle: ToolState = {
  onPointerDown(memo, p) {
    const s = useStore.getState();
    const doc = s.undoHistory.doc;
    const selected = doc.layers.find((l) => l.id === s.selectedLayerId);
    const hit = layerAt(doc, p.x, p.y);
    // Alt-drag moves the selected layer even when another lies on top.
    const target = p.alt && selected?.kind === 'raster' ? selected : hit;
    if (!target) {
      s.selectLayer(null);
      return;
    }
    s.selectLayer(target.id);
    memo.id = target.id;
    memo.startX = p.x;
    memo.startY = p.y;
    return 'dragging';
  },
};
