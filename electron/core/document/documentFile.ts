import { createHash } from 'node:crypto';
import { readFile, stat, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  DOCUMENT_TYPE,
  DOCUMENT_VERSION,
  DocumentSchema,
  type AtelierDocument,
  type Layer,
} from '../../contract/document.js';
import { ZipArchive, ZipFormatError, zipEntries } from '../export/safeZip.js';
import { MAX_DECODE_SIDE } from '../export/pngDecode.js';
import { pngLimitFromHead, pngMaxBytes } from '../export/pngChunks.js';
import { UserError } from '../../shared/userError.js';
import { writeFileAtomic } from '../files/atomicWrite.js';

/**
 * The `.atelier` file: a zip holding `mimetype`, `document.json` (the DocumentSchema JSON) and
 * `images/<imageId>.png` for every image a layer or mask references. Saved atomically; loaded through
 * migrate → validate → normalise, with every image checked against its sha256 id.
 */

export const DOCUMENT_FILE_EXTENSION = '.atelier';
export const DOCUMENT_MIMETYPE = 'application/x-atelier-document';
/** zip without zip64 (fflate writes none): the whole file must stay under 4 GiB. */
const MAX_FILE_BYTES = 2 ** 32 - 1;
/** document.json of a thousand layers with full settings is about 2 MB. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export class DocumentFileError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

export interface DocumentFileContents {
  document: AtelierDocument;
  /** imageId → PNG bytes, exactly the images the document references. */
  images: Map<string, Uint8Array>;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every image id the document needs (layer pixels and masks). */
export function referencedImageIds(doc: AtelierDocument): Set<string> {
  const ids = new Set<string>();
  for (const layer of doc.layers) {
    if (layer.kind !== 'raster') continue;
    ids.add(layer.imageId);
    if (layer.mask) ids.add(layer.mask.imageId);
  }
  return ids;
}

function isPngBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Brings older file versions up to the current one. Version 1 is the only one so far. */
export function migrateDocument(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || (raw as { type?: unknown }).type !== DOCUMENT_TYPE) {
    throw new DocumentFileError('is not an Atelier document (document.json has the wrong type)');
  }
  const version = (raw as { version?: unknown }).version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new DocumentFileError('is damaged (document.json has no valid version)');
  }
  if (version > DOCUMENT_VERSION) {
    throw new DocumentFileError(
      `was saved by a newer Atelier (document version ${version}; this version reads up to ${DOCUMENT_VERSION}); update Atelier to open it`,
    );
  }
  return raw;
}

/**
 * Repairs what validation lets through but the app should not see: parents that are missing, not groups,
 * or form a cycle are dropped (the layer moves to the top level); repeated history ids are dropped.
 */
export function normaliseDocument(doc: AtelierDocument): AtelierDocument {
  const ids = new Set<string>();
  for (const layer of doc.layers) {
    if (ids.has(layer.id)) throw new DocumentFileError(`is damaged (two layers share the id "${layer.id}")`);
    ids.add(layer.id);
  }
  const groups = new Map(doc.layers.filter((l) => l.kind === 'group').map((l) => [l.id, l]));
  const parentOf = new Map<string, string | undefined>();
  for (const layer of doc.layers) {
    parentOf.set(layer.id, layer.parentId && layer.parentId !== layer.id && groups.has(layer.parentId) ? layer.parentId : undefined);
  }
  // Break cycles: walk up from each group; a revisit means the chain loops, cut it at this layer.
  for (const layer of doc.layers) {
    const seen = new Set<string>([layer.id]);
    let p = parentOf.get(layer.id);
    while (p !== undefined) {
      if (seen.has(p)) {
        parentOf.set(layer.id, undefined);
        break;
      }
      seen.add(p);
      p = parentOf.get(p);
    }
  }
  const layers: Layer[] = doc.layers.map((layer) => {
    const parentId = parentOf.get(layer.id);
    const { parentId: _old, ...rest } = layer;
    return (parentId === undefined ? rest : { ...rest, parentId }) as Layer;
  });
  return { ...doc, layers, historyEntryIds: [...new Set(doc.historyEntryIds)] };
}

function checkImages(doc: AtelierDocument, images: ReadonlyMap<string, Uint8Array>, what: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const id of referencedImageIds(doc)) {
    const bytes = images.get(id);
    if (!bytes) throw new DocumentFileError(`${what} (image ${id.slice(0, 12)}… is missing)`);
    if (!isPngBytes(bytes)) throw new DocumentFileError(`${what} (image ${id.slice(0, 12)}… is not a PNG)`);
    if (sha256Hex(bytes) !== id) throw new DocumentFileError(`${what} (image ${id.slice(0, 12)}… does not match its hash)`);
    out.set(id, bytes);
  }
  return out;
}

function validate(raw: unknown): AtelierDocument {
  const parsed = DocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new DocumentFileError(`is damaged (document.json: ${issue.message}${where})`);
  }
  return parsed.data;
}

/** Packs a document and its images into the zip bytes of a `.atelier` file. Pure. */
export function packDocument(doc: AtelierDocument, images: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const document = validate(doc);
  const needed = checkImages(document, images, 'cannot save the document');
  return zipEntries([
    { name: 'mimetype', data: new TextEncoder().encode(DOCUMENT_MIMETYPE), store: true },
    { name: 'document.json', data: new TextEncoder().encode(JSON.stringify(document, null, 1)) },
    ...[...needed].map(([id, bytes]) => ({ name: `images/${id}.png`, data: bytes, store: true })),
  ]);
}

/**
 * Unpacks `.atelier` bytes: migrate → validate → normalise, images verified. Throws DocumentFileError
 * whose message starts with `name` ("the file" unless told), e.g. `"boat.atelier" is damaged (…)`.
 */
export async function unpackDocument(bytes: Uint8Array, name = 'the file'): Promise<DocumentFileContents> {
  try {
    return await unpack(bytes);
  } catch (e) {
    if (e instanceof DocumentFileError) throw new DocumentFileError(`${name} ${e.message}`);
    if (e instanceof ZipFormatError) throw new DocumentFileError(`${name} is not a readable Atelier file: ${e.message}`);
    throw e;
  }
}

/**
 * What reading the images may inflate to, from the pixels the layers and masks show: each image's PNG
 * at most as large as an uncompressed PNG of 4× its layer's area (a layer may show its image scaled
 * down), never less than 1 MiB. Entries nothing references are never inflated.
 */
function imageBudget(doc: AtelierDocument): number {
  const areas = new Map<string, number>();
  const add = (id: string, w: number, h: number) => areas.set(id, Math.max(areas.get(id) ?? 0, w * h));
  for (const l of doc.layers) {
    if (l.kind !== 'raster') continue;
    add(l.imageId, l.width, l.height);
    if (l.mask) add(l.mask.imageId, l.mask.width, l.mask.height);
  }
  let total = 0;
  for (const area of areas.values()) total += Math.max(1 << 20, pngMaxBytes(Math.min(area * 4, MAX_DECODE_SIDE ** 2), 1));
  return total;
}

async function unpack(bytes: Uint8Array): Promise<DocumentFileContents> {
  const zip = ZipArchive.open(bytes, { budgetBytes: MAX_JSON_BYTES });
  const json = await zip.read('document.json', { maxBytes: MAX_JSON_BYTES }).catch((e: unknown) => {
    throw e instanceof ZipFormatError && /claims|inflates? to more/.test(e.message) ? new DocumentFileError('is damaged (document.json is too large)') : e;
  });
  if (!json) throw new DocumentFileError('is not an Atelier document (no document.json inside)');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw new DocumentFileError('is damaged (document.json is not valid JSON)');
  }
  const document = normaliseDocument(validate(migrateDocument(raw)));
  // The images: only those the document references, within a budget its pixels justify.
  const images = ZipArchive.open(bytes, { budgetBytes: imageBudget(document) });
  const found = new Map<string, Uint8Array>();
  for (const id of referencedImageIds(document)) {
    let png: Uint8Array | undefined;
    try {
      png = await images.read(`images/${id}.png`, { limitFromHead: (head) => pngLimitFromHead(head, MAX_DECODE_SIDE) });
    } catch (e) {
      if ((e as Error).name === 'PngFormatError') throw new DocumentFileError(`is damaged (image ${id.slice(0, 12)}… is not a PNG)`);
      throw e;
    }
    if (png) found.set(id, png);
  }
  return { document, images: checkImages(document, found, 'is damaged') };
}

export interface WriteOptions {
  /** Writes the bytes to the open temp file. Injected by tests to simulate a full disk. */
  write?: (file: FileHandle, bytes: Uint8Array) => Promise<void>;
}

function describeWriteError(path: string, e: unknown): DocumentFileError {
  const code = (e as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOSPC' ? 'the disk is full' :
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' :
    code === 'EROFS' ? 'the disk is read-only' :
    code === 'ENOENT' ? 'the folder does not exist' :
    (e as Error).message;
  return new DocumentFileError(`could not save "${basename(path)}": ${reason}; any previous version of the file is unchanged`);
}

/** Saves atomically (files/atomicWrite.ts); a missing folder is reported, not created. */
export async function writeDocumentFile(
  path: string,
  doc: AtelierDocument,
  images: ReadonlyMap<string, Uint8Array>,
  options: WriteOptions = {},
): Promise<void> {
  const bytes = packDocument(doc, images);
  if (bytes.length > MAX_FILE_BYTES) throw new DocumentFileError(`could not save "${basename(path)}": the document is larger than 4 GiB`);
  try {
    await writeFileAtomic(path, bytes, { createFolder: false, write: options.write });
  } catch (e) {
    throw describeWriteError(path, e);
  }
}

export async function readDocumentFile(path: string): Promise<DocumentFileContents> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new DocumentFileError(`"${basename(path)}" is not a file`);
    if (info.size > MAX_FILE_BYTES) throw new DocumentFileError(`"${basename(path)}" is too large to be an Atelier document`);
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof DocumentFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new DocumentFileError(`could not open "${basename(path)}": ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return unpackDocument(bytes, `"${basename(path)}"`);
}
