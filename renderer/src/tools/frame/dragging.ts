import type { GenerationFrame } from '../../../../electron/contract/document.js';
import { snapFrame } from '../../document/geometry.js';
import { dragFrame, type FrameGrip } from '../../document/hitTest.js';
import { setFrameCommand } from '../../document/documentGrowth.js';
import { useStore } from '../../state/store.js';
import type { ToolMemo, ToolPointer, ToolState } from '../toolTypes.js';

function frameFor(memo: ToolMemo, p: ToolPointer): GenerationFrame {
  const grip = memo.grip as FrameGrip;
  const sx = memo.startX as number;
  const sy = memo.startY as number;
  if (grip === 'outside') {
    // Drawing a new frame from the press point.
    return snapFrame({ x: Math.min(sx, p.x), y: Math.min(sy, p.y), width: Math.abs(p.x - sx), height: Math.abs(p.y - sy) });
  }
  const r = dragFrame(memo.start as GenerationFrame, grip, p.x - sx, p.y - sy);
  return snapFrame({ x: Math.min(r.x, r.x + r.width), y: Math.min(r.y, r.y + r.height), width: Math.abs(r.width), height: Math.abs(r.height) });
}

/** Frame tool, dragging: the frame follows the pointer snapped to 8 px; pointer-up commits one undo step. */
export const frameDragging: ToolState = {
  onPointerMove(memo, p) {
    useStore.getState().setSession({ frame: frameFor(memo, p) });
  },
  onPointerUp(memo, p) {
    const s = useStore.getState();
    const moved = Math.abs(p.x - (memo.startX as number)) + Math.abs(p.y - (memo.startY as number)) > 2 / s.zoom;
    s.setSession({});
    if (moved) {
      const frame = frameFor(memo, p);
      const old = s.undoHistory.doc.generationFrame;
      if (frame.x !== old.x || frame.y !== old.y || frame.width !== old.width || frame.height !== old.height) {
        // Past the document's edge (outpainting) the document grows with it, in this one undo step.
        s.perform(setFrameCommand(s.undoHistory.doc, frame), 'Move frame');
      }
    }
    return 'idle';
  },
  onCancel() {
    useStore.getState().setSession({});
    return 'idle';
  },
};
