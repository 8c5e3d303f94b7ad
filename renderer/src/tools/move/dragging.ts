import type { ToolState } from '../toolTypes.js';
import type { LayerDrag, MoveState } from './index.js';

/** Move tool, dragging: the offset lives in the gesture session; pointer-up commits one undo step. */
export const moveDragging: ToolState<MoveState, LayerDrag> = {
  status: 'Release to place the layer (one undo step) · Esc puts it back',
  onPointerMove(editor, memo, p) {
    const dx = Math.round(p.x - memo.startX);
    const dy = Math.round(p.y - memo.startY);
    editor.store.setSession({ layerDrag: { id: memo.id, dx, dy } });
  },
  onPointerUp(editor, memo) {
    const s = editor.store;
    const drag = s.session.layerDrag;
    s.setSession({});
    const layer = editor.doc.layers.find((l) => l.id === memo.id);
    if (drag && layer?.kind === 'raster' && (drag.dx || drag.dy)) {
      s.perform({ type: 'updateLayer', id: layer.id, patch: { x: layer.x + drag.dx, y: layer.y + drag.dy } }, 'Move layer');
    }
    return 'idle';
  },
  onCancel(editor) {
    editor.store.setSession({});
    return 'idle';
  },
};
