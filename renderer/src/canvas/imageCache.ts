import type { RasterLayer } from '../../../electron/contract/document.js';
import { api } from '../api/api.js';

/**
 * Decoded layer pixels by image id, loaded by URL (custom protocol / HTTP), never base64.
 * Layers with a mask get a composed canvas (image with the mask as alpha), made once per pair.
 */
const images = new Map<string, Promise<HTMLImageElement>>();
const masked = new Map<string, Promise<HTMLCanvasElement>>();
const ready = new Map<string, CanvasImageSource>();
const listeners = new Set<() => void>();

export function loadImage(imageId: string): Promise<HTMLImageElement> {
  let p = images.get(imageId);
  if (!p) {
    p = new Promise<HTMLImageElement>((resolve, reject) => {
      const img = new Image();
      img.decoding = 'async';
      // CORS mode: pixels drawn into a canvas stay readable (Electron serves them from atelier://).
      img.crossOrigin = 'anonymous';
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error(`image ${imageId.slice(0, 12)}… could not be loaded`));
      img.src = api.imageUrl(imageId);
    });
    images.set(imageId, p);
    p.catch(() => images.delete(imageId));
  }
  return p;
}

/** A picture the renderer already has decoded (a committed paint stroke, an applied live draft): no reload by URL. */
export function primeImage(imageId: string, img: HTMLImageElement): void {
  if (!images.has(imageId)) images.set(imageId, Promise.resolve(img));
}

function keyOf(layer: RasterLayer): string {
  return layer.mask ? `${layer.imageId}|${layer.mask.imageId}|${layer.mask.x - layer.x},${layer.mask.y - layer.y}` : layer.imageId;
}

/** What to draw for a layer: the image, or the image clipped by its mask. */
export function layerSource(layer: RasterLayer): Promise<CanvasImageSource> {
  if (!layer.mask) return loadImage(layer.imageId);
  const key = keyOf(layer);
  let p = masked.get(key);
  if (!p) {
    const mask = layer.mask;
    p = Promise.all([loadImage(layer.imageId), loadImage(mask.imageId)]).then(([img, m]) => {
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d', { willReadFrequently: true })!;
      // Gray mask → alpha: draw it, move luminance into alpha.
      ctx.drawImage(m, mask.x - layer.x, mask.y - layer.y, mask.width, mask.height);
      const data = ctx.getImageData(0, 0, c.width, c.height);
      for (let i = 0; i < data.data.length; i += 4) {
        data.data[i + 3] = Math.min(data.data[i], data.data[i + 3]);
        data.data[i] = data.data[i + 1] = data.data[i + 2] = 255;
      }
      ctx.putImageData(data, 0, 0);
      ctx.globalCompositeOperation = 'source-in';
      ctx.drawImage(img, 0, 0);
      return c;
    });
    masked.set(key, p);
  }
  return p;
}

/** The source if already decoded (render path); otherwise starts loading and returns undefined. */
export function readySource(layer: RasterLayer): CanvasImageSource | undefined {
  const key = keyOf(layer);
  const hit = ready.get(key);
  if (hit) return hit;
  layerSource(layer).then(
    (src) => {
      ready.set(key, src);
      for (const l of listeners) l();
    },
    () => undefined,
  );
  return undefined;
}

/** Called when a new image finished loading (the canvas re-renders). */
export function onImageReady(cb: () => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}
