import { defineTool } from '../toolRunner.js';
import { regionsDrawing } from './drawing.js';
import { regionsIdle } from './idle.js';

export type RegionsState = 'idle' | 'drawing';

/** Where the region being drawn started. */
export interface RegionStart {
  startX: number;
  startY: number;
}

export const regionsTool = defineTool<RegionsState, RegionStart>({
  id: 'regions',
  cursor: 'crosshair',
  status: 'Drag to draw a region with its own prompt · click a region to edit it',
  initial: 'idle',
  states: { idle: regionsIdle, drawing: regionsDrawing },
  memo: () => ({ startX: 0, startY: 0 }),
});
