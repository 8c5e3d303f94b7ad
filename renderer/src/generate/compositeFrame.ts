import type { AtelierDocument, RasterLayer } from '../../../electron/contract/document.js';
import { inPicture } from '../../../electron/contract/document.js';
import type { Rect } from '../document/geometry.js';
import { layerSource } from '../canvas/imageCache.js';

/** The visible layers flattened inside `frame` (transparent where nothing is), for init images and export. */
export async function compositeFrame(doc: AtelierDocument, frame: Rect): Promise<HTMLCanvasElement> {
  const c = document.createElement('canvas');
  c.width = frame.width;
  c.height = frame.height;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  const layers = doc.layers.filter((l): l is RasterLayer => l.kind === 'raster' && inPicture(l) && l.opacity > 0);
  const sources = await Promise.all(layers.map((l) => layerSource(l)));
  layers.forEach((l, i) => {
    ctx.globalAlpha = l.opacity;
    ctx.globalCompositeOperation = l.blendMode === 'normal' ? 'source-over' : (l.blendMode as GlobalCompositeOperation);
    ctx.drawImage(sources[i], l.x - frame.x, l.y - frame.y, l.width, l.height);
  });
  ctx.globalAlpha = 1;
  ctx.globalCompositeOperation = 'source-over';
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
