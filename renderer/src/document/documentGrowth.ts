import { MAX_IMAGE_SIDE, type AtelierDocument } from '../../../electron/contract/document.js';
import type { DocCommand } from './commands.js';
import type { Rect } from './geometry.js';

/** The largest document side (the document schema's limit). */
export const DOCUMENT_MAX = MAX_IMAGE_SIDE;

/**
 * Outpainting grows the document: when the frame reaches past an edge, the commands that make the
 * document cover it, so no layer is generated past the document's edge. Past the right or bottom the
 * document grows; past the left or top everything (layers, their masks, regions, the frame, the painted
 * inpaint mask) moves right or down by the overhang, as Photoshop's Canvas Size anchored at the far side.
 * `frame` is where the frame is after those commands. Pure.
 */
export function documentGrowth(doc: AtelierDocument, frame: Rect): { commands: DocCommand[]; frame: Rect } {
  const dx = Math.max(0, -frame.x);
  const dy = Math.max(0, -frame.y);
  const width = Math.min(DOCUMENT_MAX, Math.max(doc.width + dx, frame.x + dx + frame.width));
  const height = Math.min(DOCUMENT_MAX, Math.max(doc.height + dy, frame.y + dy + frame.height));
  const moved = { ...frame, x: frame.x + dx, y: frame.y + dy };
  const commands: DocCommand[] = [];
  if (dx || dy) {
    for (const l of doc.layers) {
      if (l.kind !== 'raster') continue;
      commands.push({ type: 'updateLayer', id: l.id, patch: { x: l.x + dx, y: l.y + dy, ...(l.mask ? { mask: { ...l.mask, x: l.mask.x + dx, y: l.mask.y + dy } } : {}) } });
    }
    if (doc.regions?.length) commands.push({ type: 'setRegions', regions: doc.regions.map((r) => ({ ...r, x: r.x + dx, y: r.y + dy })) });
    commands.push({ type: 'setFrame', frame: { ...doc.generationFrame, x: doc.generationFrame.x + dx, y: doc.generationFrame.y + dy } });
  }
  // Also when only the content moved (a document at the largest size): the painted mask moves with it.
  if (dx || dy || width !== doc.width || height !== doc.height) commands.push({ type: 'resizeDocument', width, height, ...(dx || dy ? { dx, dy } : {}) });
  return { commands, frame: moved };
}

/**
 * Setting the frame: when it reaches past the document (outpainting), the document grows with it in the
 * same undo step, so the frame always lies inside the document.
 */
export function setFrameCommand(doc: AtelierDocument, frame: Rect): DocCommand {
  const g = documentGrowth(doc, frame);
  if (g.commands.length === 0) return { type: 'setFrame', frame };
  return { type: 'batch', label: 'Grow document', commands: [...g.commands.filter((c) => c.type !== 'setFrame'), { type: 'setFrame', frame: g.frame }] };
}
