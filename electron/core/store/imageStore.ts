import { createHash } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { THUMBNAIL_SIZE, THUMBNAIL_SIZES, writeThumbnail } from './thumbnails.js';
import { HistoryError } from './types.js';
import { toUserMessage } from '../../shared/userError.js';

/**
 * Content-addressed PNG files: `images/ab/abcdef….png`, id = sha256 hex of the bytes.
 * The same bytes stored twice are one file. Thumbnails are cached WebP under `thumbnails/<size>/`.
 */

const ID = /^[0-9a-f]{64}$/;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isImageId(id: string): boolean {
  return ID.test(id);
}

export function imageIdOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Signature and a leading IHDR chunk; enough to refuse a JPEG or a truncated download up front. */
export function looksLikePng(bytes: Uint8Array): boolean {
  if (bytes.length < 33) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== PNG_SIGNATURE[i]) return false;
  return bytes[12] === 0x49 && bytes[13] === 0x48 && bytes[14] === 0x44 && bytes[15] === 0x52;
}

export class ImageStore {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(readonly dataDir: string) {}

  /** Stores PNG bytes (idempotent) and returns their id. */
  async put(png: Uint8Array): Promise<string> {
    if (!looksLikePng(png)) throw new HistoryError('not a PNG image (bad signature or header)');
    const id = imageIdOf(png);
    const path = this.path(id);
    if (existsSync(path) && statSync(path).size === png.length) return id;
    try {
      await writeFileAtomic(path, png);
    } catch (e) {
      throw fileError(e, 'the image was not saved');
    }
    return id;
  }

  has(id: string): boolean {
    return isImageId(id) && existsSync(this.path(id));
  }

  /** Where the PNG lives; for the custom protocol / HTTP handler. Throws on a malformed id. */
  path(id: string): string {
    checkId(id);
    return join(this.dataDir, 'images', id.slice(0, 2), `${id}.png`);
  }

  async read(id: string): Promise<Buffer> {
    try {
      return await readFile(this.path(id));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw missing(id);
      throw e;
    }
  }

  /** Path of a cached WebP thumbnail, rendered on first use. Concurrent calls share one render. */
  async thumbnail(id: string, size: number = THUMBNAIL_SIZE): Promise<string> {
    if (!(THUMBNAIL_SIZES as readonly number[]).includes(size)) {
      throw new HistoryError(`thumbnail size must be one of ${THUMBNAIL_SIZES.join(', ')}`);
    }
    const dest = this.thumbnailPath(id, size);
    if (existsSync(dest)) return dest;
    const key = `${size}/${id}`;
    let job = this.pending.get(key);
    if (!job) {
      const source = this.path(id);
      if (!existsSync(source)) throw missing(id);
      job = writeThumbnail(source, dest, size)
        .then(() => dest)
        .catch((e: unknown) => {
          throw new HistoryError(`cannot make a thumbnail of image ${id.slice(0, 12)}: ${(e as Error).message}`);
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, job);
    }
    return job;
  }

  async thumbnailBytes(id: string, size: number = THUMBNAIL_SIZE): Promise<Buffer> {
    return readFile(await this.thumbnail(id, size));
  }

  /** Removes the PNG and its thumbnails; a file already gone is fine. */
  remove(id: string): void {
    rmSync(this.path(id), { force: true });
    for (const size of THUMBNAIL_SIZES) rmSync(this.thumbnailPath(id, size), { force: true });
  }

  private thumbnailPath(id: string, size: number): string {
    checkId(id);
    return join(this.dataDir, 'thumbnails', String(size), id.slice(0, 2), `${id}.webp`);
  }
}

function checkId(id: string): void {
  // Ids become paths: anything but 64 hex digits could walk out of the folder.
  if (!isImageId(id)) throw new HistoryError(`not an image id: ${JSON.stringify(id.slice(0, 80))}`);
}

/** Disk trouble in words; the atomic write already removed its temp file, so nothing half-written remains. */
function fileError(e: unknown, what: string): HistoryError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new HistoryError(`the disk is full; ${what}`, 'unavailable');
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return new HistoryError(`the image folder is not writable (${code}); ${what}`, 'unavailable');
  return new HistoryError(`${what}: ${toUserMessage(e)}`, 'unavailable');
}

function missing(id: string): HistoryError {
  return new HistoryError(`image ${id.slice(0, 12)}… is missing from the image store`, 'not-found');
}
