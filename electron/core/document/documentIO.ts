import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { AtelierDocument } from '../../contract/document.js';
import { readDocumentFile, writeDocumentFile } from './documentFile.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { compositeDocument } from '../../shared/image/composite.js';
import { DecodedImages } from '../export/decodedImages.js';
import { compositeChunk, flatProvenance, type FlatProvenance } from '../export/flatProvenance.js';
import { insertChunksBeforeIend } from '../export/pngChunks.js';
import type { RgbaImage } from '../image/types.js';
import { importImage } from '../export/imageImport.js';
import { checkExportBudget } from '../export/exportBudget.js';
import { exportOra } from '../export/oraExport.js';
import { importOra } from '../export/oraImport.js';
import { encodeImage, formatFromPath, type ImageFormat } from '../export/pngMetadata.js';
import { exportPsd } from '../export/psdExport.js';
import { importPsd } from '../export/psdImport.js';
import type { ImportedDocument } from '../export/importedImages.js';
import { UserError } from '../../shared/userError.js';

/**
 * Opening and saving documents by file extension, for the CLI, `serve` and the app's File menu:
 * .atelier (our file), .psd, .ora, and flat .png/.jpg/.webp. Every failure is a DocumentIoError with a
 * one-line message; writes are atomic, so a failed save never leaves a half file.
 */

export class DocumentIoError extends UserError {
  declare readonly code: 'invalid-input' | 'too-large' | 'io';
  /** 'invalid-input' for a file that cannot be read, 'too-large' over the memory budget, 'io' when the disk fails. */
  constructor(message: string, code: 'invalid-input' | 'too-large' | 'io' = 'invalid-input') {
    super(message, code);
  }
}

export const OPEN_EXTENSIONS = ['.atelier', '.psd', '.ora', '.png', '.jpg', '.jpeg', '.webp'] as const;
export const SAVE_EXTENSIONS = OPEN_EXTENSIONS;
/** Largest input file we read into memory (zip and PSD without PSB limits stay under 4 GiB anyway). */
const MAX_INPUT_BYTES = 4 * 2 ** 30;

/** The readers' and writers' own one-line failures (anything else is a bug and propagates as is). */
const isKnown = (e: unknown): e is UserError => e instanceof UserError;
/** What a reader's or writer's failure means for the caller: over the memory budget, a disk failure, else a bad file. */
const codeOf = (e: UserError): DocumentIoError['code'] => (e.code === 'too-large' || e.code === 'io' ? e.code : 'invalid-input');

function extensionOf(path: string): string {
  return extname(path).toLowerCase();
}

/** `options.name`: what the document (and a flat image's layer) is called when not the file's own name (a temp copy). */
export async function openDocument(path: string, options: { name?: string } = {}): Promise<ImportedDocument> {
  const ext = extensionOf(path);
  const label = `"${basename(path)}"`;
  const name = options.name ?? basename(path, extname(path));
  if (!(OPEN_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new DocumentIoError(`${label}: cannot open "${ext || '(no extension)'}" files (use ${OPEN_EXTENSIONS.join(', ')})`);
  }
  try {
    if (ext === '.atelier') return { ...(await readDocumentFile(path)), warnings: [] };
    let bytes: Buffer;
    try {
      const info = await stat(path);
      if (info.size > MAX_INPUT_BYTES) throw new DocumentIoError(`${label} is too large to open (over 4 GiB)`);
      bytes = await readFile(path);
    } catch (e) {
      if (e instanceof DocumentIoError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new DocumentIoError(`could not open ${label}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    if (ext === '.psd') return await importPsd(bytes, { name, label });
    if (ext === '.ora') return await importOra(bytes, { name, label });
    return await importImage(bytes, { name, label });
  } catch (e) {
    if (isKnown(e)) throw new DocumentIoError(e.message, codeOf(e));
    throw e;
  }
}

/**
 * Flat exports: `parameters` only when they reproduce the picture (one untouched generated layer);
 * a composite PNG states so in its own chunk instead (export/flatProvenance.ts).
 */
async function encodeFlat(flat: RgbaImage, format: ImageFormat, provenance: FlatProvenance, quality?: number): Promise<Uint8Array> {
  const bytes = await encodeImage(flat, format, quality === undefined ? {} : { quality }, provenance.kind === 'generation' ? provenance.meta : undefined);
  if (provenance.kind !== 'composite' || format !== 'png') return bytes;
  return insertChunksBeforeIend(bytes, [compositeChunk(provenance.composite)]);
}

export interface SaveOptions {
  /** JPEG/WebP quality 1..100. */
  quality?: number;
  /** Flat formats: render only the generation frame instead of the whole canvas. */
  frameOnly?: boolean;
  appVersion?: string;
}

/** Writes `doc` to `path` in the format its extension names. Returns the number of bytes written. */
export async function saveDocumentAs(
  path: string,
  doc: AtelierDocument,
  images: ReadonlyMap<string, Uint8Array>,
  options: SaveOptions = {},
): Promise<number> {
  const ext = extensionOf(path);
  const label = `"${basename(path)}"`;
  try {
    if (ext === '.atelier') {
      await writeDocumentFile(path, doc, images);
      return (await stat(path)).size;
    }
    let bytes: Uint8Array;
    if (ext === '.psd') bytes = exportPsd(doc, images, { appVersion: options.appVersion });
    else if (ext === '.ora') {
      checkExportBudget(doc, 'ora');
      bytes = await exportOra(doc, images, { appVersion: options.appVersion });
    } else {
      const format = formatFromPath(path);
      if (!format) throw new DocumentIoError(`${label}: cannot save "${ext || '(no extension)'}" files (use ${SAVE_EXTENSIONS.join(', ')})`);
      if (options.quality !== undefined && format === 'png') throw new DocumentIoError('quality applies to .jpg and .webp only');
      const region = options.frameOnly ? doc.generationFrame : undefined;
      checkExportBudget(doc, 'flat', region);
      const flat = compositeDocument(doc, new DecodedImages(doc, images, 2), region ? { region } : {});
      try {
        bytes = await encodeFlat(flat, format, flatProvenance(doc, region, options.appVersion), options.quality);
      } catch (e) {
        throw new DocumentIoError((e as Error).message);
      }
    }
    try {
      await writeFileAtomic(path, bytes);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const reason = code === 'ENOSPC' ? 'the disk is full' : code === 'ENOENT' ? 'the folder does not exist' : code === 'ENOTDIR' || code === 'EEXIST' ? 'a file stands where its folder should be' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
      throw new DocumentIoError(`could not save ${label}: ${reason}; any previous file there is unchanged`, 'io');
    }
    return bytes.length;
  } catch (e) {
    if (isKnown(e)) {
      const code = codeOf(e);
      throw new DocumentIoError(e.message.startsWith('could not') || e.message.startsWith('"') ? e.message : `${label}: ${e.message}`, code);
    }
    throw e;
  }
}
