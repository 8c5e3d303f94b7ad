import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument, type RasterLayer } from '../../../electron/contract/document.js';
import { compositeDocument } from '../../../electron/shared/image/composite.js';
import type { RgbaImage } from '../../../electron/shared/image/pixels.js';
import type { Rect } from '../document/geometry.js';
import { decodeFor } from '../canvas/layerPixels.js';

/**
 * The visible layers flattened inside `frame` (transparent where nothing is), through the one compositor the
 * exporters use (groups, masks, blend modes, opacity): the canvas shows it, Generate and Live send it.
 */
export async function compositeFrame(doc: AtelierDocument, frame: Rect): Promise<HTMLCanvasElement> {
  const pixels = await decodeFor(doc);
  return rgbaCanvas(compositeDocument(doc, pixels, { region: frame }));
}

/** One layer on its own over its rectangle (a control layer too): its mask applied, full opacity, normal mode, outside any group. */
export function layerSource(layer: RasterLayer): Promise<HTMLCanvasElement> {
  const alone: RasterLayer = { ...layer, opacity: 1, visible: true, blendMode: 'normal', parentId: undefined, role: undefined };
  const doc: AtelierDocument = {
    type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: 'layer', name: layer.name, width: layer.width, height: layer.height,
    layers: [alone], generationFrame: { x: 0, y: 0, width: layer.width, height: layer.height }, historyEntryIds: [],
  };
  return compositeFrame(doc, { x: layer.x, y: layer.y, width: layer.width, height: layer.height });
}

export function rgbaCanvas(image: RgbaImage): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = image.width;
  c.height = image.height;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  const data = ctx.createImageData(image.width, image.height);
  data.data.set(image.data);
  ctx.putImageData(data, 0, 0);
  return c;
}

export function alphaOf(c: HTMLCanvasElement): Uint8Array {
  const data = c.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, c.width, c.height).data;
  const out = new Uint8Array(c.width * c.height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * 4 + 3];
  return out;
}

export function canvasPng(c: HTMLCanvasElement): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    c.toBlob((blob) => {
      if (!blob) return reject(new Error('could not encode PNG'));
      blob.arrayBuffer().then((b) => resolve(new Uint8Array(b)), reject);
    }, 'image/png');
  });
}

/** A gray mask as an opaque RGB PNG (white = repaint), the form the core reads. */
export function maskPng(mask: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(width, height);
  for (let i = 0, p = 0; i < mask.length; i++, p += 4) {
    img.data[p] = img.data[p + 1] = img.data[p + 2] = mask[i];
    img.data[p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvasPng(c);
}

/**
 * The frame flattened on mid-grey. Generate no longer uses it (the engine fills empty pixels from their
 * surroundings: core/engine/inpaint/outpaint.ts); live mode still does.
 */
export function flattenOnGray(c: HTMLCanvasElement): HTMLCanvasElement {
  const out = document.createElement('canvas');
  out.width = c.width;
  out.height = c.height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#808080';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(c, 0, 0);
  return out;
}
