import { api } from '../api/api.js';

/**
 * Pictures by image id, loaded by URL (custom protocol / HTTP), never base64. `layerPixels.ts` reads their
 * bytes for the compositor.
 */
const images = new Map<string, Promise<HTMLImageElement>>();

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
