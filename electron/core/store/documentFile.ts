import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  DOCUMENT_TYPE,
  DOCUMENT_VERSION,
  DocumentSchema,
  type AtelierDocument,
  type Layer,
} from '../../contract/document.js';
import { unzipBounded, ZipFormatError, zipEntries } from '../export/safeZip.js';

/**
 * The `.atelier` file: a zip holding `mimetype`, `document.json` (the DocumentSchema JSON) and
 * `images/<imageId>.png` for every image a layer or mask references. Saved atomically; loaded through
 * migrate → validate → normalise, with every image checked against its sha256 id.
 */

export const DOCUMENT_FILE_EXTENSION = '.atelier';
export const DOCUMENT_MIMETYPE = 'application/x-atelier-document';
/** zip without zip64 (fflate writes none): the whole file must stay under 4 GiB. */
const MAX_FILE_BYTES = 2 ** 32 - 1;
const MAX_JSON_BYTES = 64 * 1024 * 1024;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export class DocumentFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentFileError';
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
export function unpackDocument(bytes: Uint8Array, name = 'the file'): DocumentFileContents {
  try {
    return unpack(bytes);
  } catch (e) {
    if (e instanceof DocumentFileError) throw new DocumentFileError(`${name} ${e.message}`);
    throw e;
  }
}

function unpack(bytes: Uint8Array): DocumentFileContents {
  let entries: Map<string, Uint8Array>;
  try {
    entries = unzipBounded(bytes, {
      keep: (name) => name === 'document.json' || /^images\/[0-9a-f]{64}\.png$/.test(name),
      maxEntryBytes: 2 ** 31,
      maxTotalBytes: 2 ** 33,
    });
  } catch (e) {
    if (e instanceof ZipFormatError) throw new DocumentFileError(`is not a readable Atelier file: ${e.message}`);
    throw e;
  }
  const json = entries.get('document.json');
  if (!json) throw new DocumentFileError('is not an Atelier document (no document.json inside)');
  if (json.length > MAX_JSON_BYTES) throw new DocumentFileError('is damaged (document.json is too large)');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw new DocumentFileError('is damaged (document.json is not valid JSON)');
  }
  const document = normaliseDocument(validate(migrateDocument(raw)));
  const images = new Map<string, Uint8Array>();
  for (const [name, data] of entries) {
    if (name.startsWith('images/')) images.set(name.slice(7, 71), data);
  }
  return { document, images: checkImages(document, images, 'is damaged') };
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

/** Saves atomically: temp file in the same folder, fsync, rename, fsync the folder. */
export async function writeDocumentFile(
  path: string,
  doc: AtelierDocument,
  images: ReadonlyMap<string, Uint8Array>,
  options: WriteOptions = {},
): Promise<void> {
  const bytes = packDocument(doc, images);
  if (bytes.length > MAX_FILE_BYTES) throw new DocumentFileError(`could not save "${basename(path)}": the document is larger than 4 GiB`);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const write = options.write ?? ((file, data) => file.writeFile(data));
  let file: FileHandle | undefined;
  try {
    file = await open(tmp, 'wx');
    await write(file, bytes);
    await file.sync();
    await file.close();
    file = undefined;
    await rename(tmp, path);
  } catch (e) {
    await file?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw describeWriteError(path, e);
  }
  // Make the rename itself durable; folders cannot be opened for sync on Windows, which is fine.
  const folder = await open(dir, 'r').catch(() => undefined);
  await folder?.sync().catch(() => undefined);
  await folder?.close().catch(() => undefined);
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
