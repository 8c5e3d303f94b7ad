import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { GrayImage, RgbaImage } from '../image/types.js';
import { isControlLayer, type RasterLayer } from '../../contract/document.js';

/**
 * Collects the PNGs an importer produces, keyed by imageId (sha256 of the PNG bytes), the way the
 * document and the `.atelier` file reference them. Identical pixels encode to one entry.
 */
export class ImportedImages {
  readonly images = new Map<string, Uint8Array>();

  async add(image: RgbaImage | GrayImage): Promise<string> {
    const channels = image.data.length === image.width * image.height ? 1 : 4;
    const png = new Uint8Array(
      await sharp(image.data, { raw: { width: image.width, height: image.height, channels } }).png({ compressionLevel: 6 }).toBuffer(),
    );
    const id = createHash('sha256').update(png).digest('hex');
    this.images.set(id, png);
    return id;
  }
}

/** Collects what an importer could not keep, and says it in one message. */
export class ImportWarnings {
  private readonly counts = new Map<string, number>();
  private readonly notes = new Set<string>();

  /** `what` reads with a count in front: count('text layer imported as pixels', 'text layers imported as pixels'). */
  count(singular: string, plural: string): void {
    const key = `${singular}\u0000${plural}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  note(text: string): void {
    this.notes.add(text);
  }

  /** Zero or one message. */
  messages(format: string): string[] {
    const parts = [...this.notes];
    for (const [key, n] of this.counts) {
      const [singular, plural] = key.split('\u0000');
      parts.push(`${n} ${n === 1 ? singular : plural}`);
    }
    return parts.length ? [`Some parts of this ${format} could not be kept exactly: ${parts.join('; ')}.`] : [];
  }
}

/**
 * A Control layer leaves as a hidden layer (PSD and ORA have no such kind); when the file still carries our
 * saved document and the pixels are ours, it comes back as a Control layer with the visibility it had.
 */
export function controlRole(saved: RasterLayer): Pick<RasterLayer, 'role' | 'visible'> | Record<string, never> {
  return isControlLayer(saved) ? { role: saved.role, visible: saved.visible } : {};
}
