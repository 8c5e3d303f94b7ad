import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument, type RasterLayer } from '../../../electron/contract/document.js';
import type { Rect } from './geometry.js';

let counter = 0;
/** Ids unique within a session and across saves (time + counter + random). */
export function newId(prefix: string): string {
  counter = (counter + 1) % 1_000_000;
  return `${prefix}-${Date.now().toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export function createDocument(width = 512, height = 512, name = 'Untitled'): AtelierDocument {
  return {
    type: DOCUMENT_TYPE,
    version: DOCUMENT_VERSION,
    id: newId('doc'),
    name,
    width,
    height,
    layers: [],
    generationFrame: { x: 0, y: 0, width: Math.min(width, 512), height: Math.min(height, 512) },
    historyEntryIds: [],
  };
}

export function rasterLayer(name: string, imageId: string, at: Rect, extra: Partial<RasterLayer> = {}): RasterLayer {
  return {
    id: newId('layer'),
    kind: 'raster',
    name: name.slice(0, 255),
    x: Math.round(at.x),
    y: Math.round(at.y),
    width: Math.round(at.width),
    height: Math.round(at.height),
    opacity: 1,
    visible: true,
    blendMode: 'normal',
    imageId,
    ...extra,
  };
}

/** "a red fox in the snow, …" → "a red fox in the snow" (layer names stay short). */
export function layerNameFromPrompt(prompt: string, fallback: string): string {
  const first = prompt.split(/[,.\n]/)[0].trim();
  if (!first) return fallback;
  return first.length > 40 ? `${first.slice(0, 39)}…` : first;
}
