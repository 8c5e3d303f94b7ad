import { defineTool } from '../toolRunner.js';
import { paintColourIdle } from './idle.js';
import { paintColourPainting } from './painting.js';

export type PaintState = 'idle' | 'painting';

/** Paint: colour strokes onto the selected layer (or a new "Paint" layer) — what Live mode follows. */
export const paintTool = defineTool<PaintState, null>({
  id: 'paint',
  cursor: 'none',
  brush: { outline: '#ffffff', colour: true },
  status: 'Drag to paint onto the selected layer (or a new Paint layer) · [ ] brush size',
  initial: 'idle',
  states: { idle: paintColourIdle, painting: paintColourPainting },
  memo: () => null,
});
