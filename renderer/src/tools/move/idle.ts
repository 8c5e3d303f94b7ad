import { layerAt } from '../../document/hitTest.js';
import type { ToolState } from '../toolTypes.js';
import type { LayerDrag, MoveState } from './index.js';

/** Move tool, waiting: a press picks the layer under the pointer (or keeps the selected one) and starts a drag. */
export const moveIdle: ToolState<MoveState, LayerDrag> = {
  onPointerDown(editor, memo, p) {
    const s = editor.store;
    const doc = editor.doc;
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
