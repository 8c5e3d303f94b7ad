import { inPicture, type AtelierDocument } from '../../../electron/contract/document.js';
import type { LayerPixels } from '../../../electron/shared/image/composite.js';
import type { GrayImage, RgbaImage } from '../../../electron/shared/image/pixels.js';
import { loadImage } from './imageCache.js';

/**
 * Decoded layer and mask pixels for the shared compositor (`shared/image/composite.ts`), which the canvas,
 * the init-image builder and the exporters all flatten through. The browser decodes the PNG (loaded by URL);
 * a 2D canvas hands back its bytes. Opaque pixels come back exact; a canvas stores premultiplied alpha, so a
 * half-transparent source pixel can be off by one level (the exporter decodes the PNG bytes themselves).
 */
const decoded = new Map<string, RgbaImage | GrayImage>();
const pending = new Map<string, Promise<RgbaImage | GrayImage>>();

/** Decoded images beyond what the open document needs that stay cached (undo often brings them back). */
const SPARE = 16;

const keyOf = (id: string, gray: boolean) => (gray ? `g:${id}` : id);

function readPixels(img: CanvasImageSource & { naturalWidth: number; naturalHeight: number }, gray: boolean): RgbaImage | GrayImage {
  const width = img.naturalWidth;
  const height = img.naturalHeight;
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(img, 0, 0);
  const rgba = new Uint8Array(ctx.getImageData(0, 0, width, height).data.buffer);
  if (!gray) return { width, height, data: rgba };
  // Masks are stored as gray (or opaque gray RGB) PNGs: the red channel is the value.
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4];
  return { width, height, data };
}

/** The images a composite of `doc` reads: raster layers in the picture and their masks. */
function needed(doc: AtelierDocument): { id: string; gray: boolean }[] {
  const out: { id: string; gray: boolean }[] = [];
  for (const l of doc.layers) {
    if (l.kind !== 'raster' || !inPicture(l) || l.opacity <= 0) continue;
    out.push({ id: l.imageId, gray: false });
    if (l.mask) out.push({ id: l.mask.imageId, gray: true });
  }
  return out;
}

function decode(id: string, gray: boolean): Promise<RgbaImage | GrayImage> {
  const key = keyOf(id, gray);
  const hit = decoded.get(key);
  if (hit) return Promise.resolve(hit);
  let p = pending.get(key);
  if (!p) {
    p = loadImage(id).then((img) => {
      const image = readPixels(img, gray);
      decoded.set(key, image);
      return image;
    });
    pending.set(key, p);
    p.then(() => pending.delete(key), () => pending.delete(key));
  }
  return p;
}

/** Drops decoded pixels the document does not use, keeping a few spares. */
function prune(doc: AtelierDocument): void {
  const keep = new Set(needed(doc).map((n) => keyOf(n.id, n.gray)));
  let spare = decoded.size - keep.size - SPARE;
  for (const key of decoded.keys()) {
    if (spare <= 0) break;
    if (!keep.has(key)) {
      decoded.delete(key);
      spare--;
    }
  }
}

/** Everything a composite of `doc` needs, decoded (loads what is missing); held by this answer. */
export async function decodeFor(doc: AtelierDocument): Promise<LayerPixels> {
  const list = needed(doc);
  const images = await Promise.all(list.map((n) => decode(n.id, n.gray)));
  prune(doc);
  return new Map(list.map((n, i) => [n.id, images[i]]));
}
