import { isControlLayer } from '../../../../electron/contract/document.js';
import type { ToolState } from '../toolTypes.js';
import type { EraserState } from './index.js';

/** A grey trace while the stroke is in progress; the commit clears the layer where it went. */
const TRACE = 'rgba(128, 128, 128, 0.7)';

/** Eraser, waiting: a press on a visible, selected Control layer erases its sketch; anywhere else, the mask. */
export const eraserIdle: ToolState<EraserState, null> = {
  onPointerDown(editor, _memo, p) {
    const { brushSize, brushHardness, selectedLayerId, undoHistory } = editor.store;
    const layer = undoHistory.doc.layers.find((l) => l.id === selectedLayerId);
    if (layer && isControlLayer(layer) && layer.visible) {
      editor.painter.begin(p.x, p.y, brushSize, brushHardness, TRACE, true);
      return 'erasingLayer';
    }
    editor.mask.beginStroke(p.x, p.y, brushSize, brushHardness, true);
    return 'painting';
  },
};
