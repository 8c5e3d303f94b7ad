import { defineTool } from '../toolRunner.js';
import { handIdle } from './idle.js';
import { handPanning } from './panning.js';

export type HandState = 'idle' | 'panning';

/** Where a pan started: the pointer on screen and the view's pan then. */
export interface PanStart {
  sx: number;
  sy: number;
  panX: number;
  panY: number;
}

export const handTool = defineTool<HandState, PanStart>({
  id: 'hand',
  cursor: 'grab',
  status: 'Drag to pan · wheel zooms · Space-drag pans with any tool',
  initial: 'idle',
  states: { idle: handIdle, panning: handPanning },
  memo: () => ({ sx: 0, sy: 0, panX: 0, panY: 0 }),
});
