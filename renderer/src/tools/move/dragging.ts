import { useStore } from '../../state/store.js';
import type { ToolState } from '../toolTypes.js';

/** Move tool, dragging: the offset lives in the gesture session; pointer-up commits one undo step. */
export const moveDragging: ToolState = {
  onPointerMove(memo, p) {
    const dx = Math.round(p.x - (memo.startX as number));
    const dy = Math.round(p.y - (memo.startY as number));
    useStore.getState().setSession({ layerDrag: { id: memo.id as string, dx, dy } });
  },
  onPointerUp(memo) {
    const s = useStore.getState();
    const drag = s.session.layerDrag;
    s.setSession({});
    const layer = s.undoHistory.doc.layers.find((l) => l.id === memo.id);
    if (drag && layer?.kind === 'raster' && (drag.dx || drag.dy)) {
      s.perform({ type: 'updateLayer', id: layer.id, patch: { x: layer.x + drag.dx, y: layer.y + drag.dy } }, 'Move layer');
    }
    return 'idle';
  },
  onCancel() {
    useStore.getState().setSession({});
    return 'idle';
  },
};
