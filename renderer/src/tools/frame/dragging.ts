import type { GenerationFrame } from '../../../../electron/contract/document.js';
import { snapFrame } from '../../document/geometry.js';
import { dragFrame } from '../../document/hitTest.js';
import type { ToolPointer, ToolState } from '../toolTypes.js';
import type { FrameDrag, FrameState } from './index.js';
import { setFrameCommand } from '../../document/documentGrowth.js';

function frameFor(memo: FrameDrag, p: ToolPointer): GenerationFrame {
  const { grip, startX: sx, startY: sy } = memo;
  if (grip === 'outside') {
    // Drawing a new frame from the press point.
    return snapFrame({ x: Math.min(sx, p.x), y: Math.min(sy, p.y), width: Math.abs(p.x - sx), height: Math.abs(p.y - sy) });
  }
  const r = dragFrame(memo.start, grip, p.x - sx, p.y - sy);
  return snapFrame({ x: Math.min(r.x, r.x + r.width), y: Math.min(r.y, r.y + r.height), width: Math.abs(r.width), height: Math.abs(r.height) });
}

/** Frame tool, dragging: the frame follows the pointer snapped to 8 px; pointer-up commits one undo step. */
export const frameDragging: ToolState<FrameState, FrameDrag> = {
  status: 'Release to set the frame (snapped to 8 px) · Esc keeps the old one',
  onPointerMove(editor, memo, p) {
    editor.store.setSession({ frame: frameFor(memo, p) });
  },
  onPointerUp(editor, memo, p) {
    const s = editor.store;
    const moved = Math.abs(p.x - memo.startX) + Math.abs(p.y - memo.startY) > 2 / s.zoom;
    s.setSession({});
    if (moved) {
      const frame = frameFor(memo, p);
      const old = editor.doc.generationFrame;
      if (frame.x !== old.x || frame.y !== old.y || frame.width !== old.width || frame.height !== old.height) {
        // Past the document's edge (outpainting) the document grows with it, in this one undo step.
        s.perform(setFrameCommand(editor.doc, frame), 'Move frame');
      }
    }
    return 'idle';
  },
  onCancel(editor) {
    editor.store.setSession({});
    return 'idle';
  },
};
