import type { AtelierDocument } from '../../contract/document.js';
import type { GrayImage, RgbaImage } from '../image/types.js';
import { CompositeError, type LayerPixels } from '../../shared/image/composite.js';
import { decodePngGray, decodePngRgba } from './pngDecode.js';

/**
 * Decodes a document's PNGs on demand and keeps only the last few, so exporting a large document holds
 * one or two decoded layers at a time instead of all of them. Mask ids decode to gray, others to RGBA.
 */
export class DecodedImages implements LayerPixels {
  private readonly maskIds = new Set<string>();
  private readonly recent = new Map<string, RgbaImage | GrayImage>();
  /** How many decodes happened (tests and benchmarks read it). */
  decodes = 0;

  constructor(
    doc: AtelierDocument,
    private readonly pngs: ReadonlyMap<string, Uint8Array>,
    private readonly keep = 2,
  ) {
    for (const layer of doc.layers) if (layer.kind === 'raster' && layer.mask) this.maskIds.add(layer.mask.imageId);
  }

  get(id: string): RgbaImage | GrayImage | undefined {
    const hit = this.recent.get(id);
    if (hit) {
      this.recent.delete(id);
      this.recent.set(id, hit); // most recent last
      return hit;
    }
    const png = this.pngs.get(id);
    if (!png) return undefined;
    let image: RgbaImage | GrayImage;
    try {
      image = this.maskIds.has(id) ? decodePngGray(png) : decodePngRgba(png);
    } catch (e) {
      throw new CompositeError(`image ${id.slice(0, 12)}… cannot be decoded: ${(e as Error).message}`);
    }
    this.decodes++;
    this.recent.set(id, image);
    while (this.recent.size > this.keep) this.recent.delete(this.recent.keys().next().value as string);
    return image;
  }
}
