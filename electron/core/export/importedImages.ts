import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { GrayImage, RgbaImage } from '../image/types.js';
import { isControlLayer, type AtelierDocument, type RasterLayer } from '../../contract/document.js';

/** What every document importer (PSD, ORA, flat image) gives back. */
export interface ImportedDocument {
  document: AtelierDocument;
  images: Map<string, Uint8Array>;
  /** Empty, or one message listing what could not be kept. */
  warnings: string[];
}

/** What every document importer takes. */
export interface DocumentImportOptions {
  /** Document name when the file does not carry one (e.g. the file name without extension). */
  name?: string;
  /** How errors name the file, e.g. '"boat.psd"' (default "the file"). */
  label?: string;
}

/**
 * Runs an importer so that its one-line errors name the file (`"boat.psd" is not a readable PSD file (…)`):
 * `reword` turns the importer's own errors into the sentence after the label (undefined: the error passes as it is).
 */
export async function namingTheFile<T>(options: DocumentImportOptions, run: () => Promise<T>, reword: (e: unknown, label: string) => Error | undefined): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw reword(e, options.label ?? 'the file') ?? e;
  }
}

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
