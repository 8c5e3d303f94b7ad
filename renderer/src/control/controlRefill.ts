import type { ControlRef } from '../../../electron/contract/control.js';
import { isControlLayer, type AtelierDocument } from '../../../electron/contract/document.js';
import type { DocCommand } from '../document/commands.js';
import type { Rect } from '../document/geometry.js';
import { newId, rasterLayer } from '../document/newDocument.js';
import type { ControlEntry } from './controlSlice.js';

/**
 * "Use settings" for the Control section. An entry records each control's map after preprocessing (white
 * lines on black), not the sketch it came from, so each control comes back as a Control layer holding that
 * map, shown with Screen blend (its lines over the picture, its black invisible), and a row that takes the
 * layer as a ready map (type 'none'): Generate then sends the very map the entry used. Pure: the caller
 * performs the commands (one undo step with the frame) and sets the rows.
 */
export function controlRefill(controls: readonly ControlRef[], doc: AtelierDocument, frame: Rect): { commands: DocCommand[]; rows: Array<Omit<ControlEntry, 'id'>> } {
  const commands: DocCommand[] = [];
  const rows: Array<Omit<ControlEntry, 'id'>> = [];
  const existing = doc.layers.filter(isControlLayer).length;
  controls.forEach((c, i) => {
    const layer = rasterLayer(`Control ${existing + i + 1}`, c.imageId, frame, { role: 'control', id: newId('control'), blendMode: 'screen' });
    commands.push({ type: 'addLayer', layer, index: doc.layers.length + i });
    rows.push({ model: c.model, type: 'none', source: layer.id, scale: c.scale, start: c.start, end: c.end });
  });
  return { commands, rows };
}
