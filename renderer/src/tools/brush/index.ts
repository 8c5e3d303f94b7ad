import type { Editor } from '../editor.js';
import { defineTool } from '../toolRunner.js';
import { paintIdle } from './idle.js';
import { paintPainting } from './painting.js';

export type MaskBrushState = 'idle' | 'painting';

/** The mask tools' onPick: the mask shows again (it is hidden after an inpaint); painting blind would be worse. */
export const showMask = (editor: Editor): void => editor.store.setMaskHidden(false);

/** Brush: a stroke into the mask bitmap (the Eraser shares the `painting` state, clearing: tools/eraser). */
export const brushTool = defineTool<MaskBrushState, null>({
  id: 'brush',
  cursor: 'none',
  brush: { outline: '#ffffff', clearsMask: true },
  status: 'Drag to paint the mask (the area to repaint) · [ ] brush size',
  onPick: showMask,
  initial: 'idle',
  states: { idle: paintIdle, painting: paintPainting(false) },
  memo: () => null,
});
