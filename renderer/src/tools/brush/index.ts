import { defineTool } from '../toolRunner.js';
import { paintIdle } from './idle.js';
import { paintPainting } from './painting.js';

export type MaskBrushState = 'idle' | 'painting';

/** Brush (erase = false) and Eraser: the same gesture into the mask bitmap, stamping or clearing. */
export function maskBrushTool(erase: boolean) {
  return defineTool<MaskBrushState, null>({
    id: erase ? 'eraser' : 'brush',
    cursor: 'none',
    brush: { outline: erase ? '#ffcc66' : '#ffffff', clearsMask: true },
    status: erase ? 'Drag to erase the mask · [ ] brush size' : 'Drag to paint the mask (the area to repaint) · [ ] brush size',
    initial: 'idle',
    states: { idle: paintIdle(erase), painting: paintPainting(erase) },
    memo: () => null,
  });
}

export const brushTool = maskBrushTool(false);
