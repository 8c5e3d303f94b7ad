import type { GenerationFrame } from '../../../../electron/contract/document.js';
import type { FrameGrip } from '../../document/hitTest.js';
import { defineTool } from '../toolRunner.js';
import { frameDragging } from './dragging.js';
import { frameIdle } from './idle.js';

export type FrameState = 'idle' | 'dragging';

/** The press that started a frame drag: which part was gripped, the frame then, the press point. */
export interface FrameDrag {
  grip: FrameGrip;
  start: GenerationFrame;
  startX: number;
  startY: number;
}

export const frameTool = defineTool<FrameState, FrameDrag>({
  id: 'frame',
  cursor: 'crosshair',
  status: 'Drag inside the frame to move it, on an edge to resize it, outside to draw a new one',
  initial: 'idle',
  states: { idle: frameIdle, dragging: frameDragging },
  memo: () => ({ grip: 'outside', start: { x: 0, y: 0, width: 0, height: 0 }, startX: 0, startY: 0 }),
});
