import { showMask } from '../brush/index.js';
import { paintPainting } from '../brush/painting.js';
import { defineTool } from '../toolRunner.js';
import { paintColourPainting } from '../paint/painting.js';
import { eraserIdle } from './idle.js';

export type EraserState = 'idle' | 'painting' | 'erasingLayer';

/**
 * Eraser: the Brush's gesture clearing the mask (state `painting`, shared with the Brush) — or, with a Control
 * layer selected, clearing that sketch's pixels (`erasingLayer`: Paint's stroke state, the painter erasing).
 */
export const eraserTool = defineTool<EraserState, null>({
  id: 'eraser',
  cursor: 'none',
  brush: { outline: '#ffcc66', clearsMask: true },
  status: "Drag to erase the mask, or the selected Control layer's sketch · [ ] brush size",
  onPick: showMask,
  initial: 'idle',
  states: { idle: eraserIdle, painting: paintPainting(true), erasingLayer: paintColourPainting },
  memo: () => null,
});
