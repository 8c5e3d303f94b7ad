import type { Editor } from '../editor.js';
import { defineTool } from '../toolRunner.js';
import { paintIdle } from './idle.js';
import { paintPainting } from './painting.js';

export type MaskBrushState = 'idle' | 'painting';

/** The mask tools' onPick: the mask shows again (it is hidden after an inpaint); painting blind would be worse. */
export const showMask = (editor: Editor): void => editor.store.setMaskHidden(false);

/** Brush (erase = false) and Eraser: the same gesture into the mask bitmap, stamping or clearing. */
export function maskBrushTool(erase: boolean) {
  return defineTool<MaskBrushState, null>({
    id: erase ? 'eraser' : 'brush',
    cursor: 'none',
    brush: { outline: erase ? '#ffcc66' : '#ffffff', clearsMask: true },
    status: erase ? 'Drag to erase the mask · [ ] brush size' : 'Drag to paint the mask (the area to repaint) · [ ] brush size',
    onPick: showMask,
    initial: 'idle',
    states: { idle: paintIdle(erase), painting: paintPainting(erase) },
    memo: () => null,
  });
}

export const brushTool = maskBrushTool(false);
