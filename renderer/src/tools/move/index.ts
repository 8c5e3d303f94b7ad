import { defineTool } from '../toolRunner.js';
import { moveDragging } from './dragging.js';
import { moveIdle } from './idle.js';

export type MoveState = 'idle' | 'dragging';

/** The layer being dragged and where the press was. */
export interface LayerDrag {
  id: string;
  startX: number;
  startY: number;
}

export const moveTool = defineTool<MoveState, LayerDrag>({
  id: 'move',
  cursor: 'move',
  status: 'Drag a layer to move it · Alt-drag moves the selected layer',
  initial: 'idle',
  states: { idle: moveIdle, dragging: moveDragging },
  memo: () => ({ id: '', startX: 0, startY: 0 }),
});
