import { zipSync, type Zippable } from 'fflate';
import { crc32, inflateRawSync } from 'node:zlib';

/**
 * Zip reading for untrusted files (.atelier, .ora). We read the central directory ourselves so that
 * counts and declared sizes are checked before anything is allocated, stored entries come back as
 * views into the file (no second copy of every PNG), deflated ones are inflated by zlib up to their
 * declared size only, and every entry's CRC-32 is checked. No zip64 (our writer never needs it).
 */

export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

export interface UnzipLimits {
  /** Most entries looked at (default 10,000). */
  maxEntries?: number;
  /** Largest declared uncompressed size of one entry (default 1 GiB). */
  maxEntryBytes?: number;
  /** Largest sum of declared uncompressed sizes of the entries kept (default 4 GiB). */
  maxTotalBytes?: number;
  /** Keep only these entries (others are skipped without inflating). */
  keep?: (name: string) => boolean;
}

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

export function unzipBounded(bytes: Uint8Array, limits: UnzipLimits = {}): Map<string, Uint8Array> {
  const maxEntries = limits.maxEntries ?? 10_000;
  const maxEntryBytes = limits.maxEntryBytes ?? 1 << 30;
  const maxTotalBytes = limits.maxTotalBytes ?? 4 * 2 ** 30;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const damaged = (what: string) => new ZipFormatError(`its zip data is damaged (${what})`);

  let eocd = -1;
  for (let i = bytes.length - 22; i >= 0 && i >= bytes.length - 22 - 65535; i--) {
    if (v.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('it is not a zip archive, or it is truncated (no end-of-archive record)');
  const count = v.getUint16(eocd + 10, true);
  const cdSize = v.getUint32(eocd + 12, true);
  const cdOffset = v.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new ZipFormatError('it is a zip64 archive, which is not supported');
  if (cdOffset + cdSize > eocd) throw damaged('the central directory lies outside the file');
  if (count > maxEntries) throw new ZipFormatError(`it has more than ${maxEntries} entries`);

  const files = new Map<string, Uint8Array>();
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || v.getUint32(p, true) !== 0x02014b50) throw damaged('damaged central directory');
    const flags = v.getUint16(p + 8, true);
    const method = v.getUint16(p + 10, true);
    const crc = v.getUint32(p + 16, true);
    const csize = v.getUint32(p + 20, true);
    const usize = v.getUint32(p + 24, true);
    const nameLength = v.getUint16(p + 28, true);
    const next = p + 46 + nameLength + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
    const local = v.getUint32(p + 42, true);
    if (next > eocd) throw damaged('damaged central directory');
    const name = (flags & 0x800 ? utf8 : latin1).decode(bytes.subarray(p + 46, p + 46 + nameLength));
    p = next;
    if (limits.keep && !limits.keep(name)) continue;
    if (flags & 1) throw new ZipFormatError(`it has an encrypted entry "${name}"`);
    if (usize > maxEntryBytes) {
      throw new ZipFormatError(`it has an entry "${name}" that claims ${usize} bytes, more than the ${maxEntryBytes} allowed`);
    }
    total += usize;
    if (total > maxTotalBytes) throw new ZipFormatError(`it has entries adding up to more than ${maxTotalBytes} bytes`);
    if (local + 30 > bytes.length || v.getUint32(local, true) !== 0x04034b50) throw damaged(`entry "${name}" has no local header`);
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    if (start + csize > bytes.length) throw damaged(`entry "${name}" is cut short; the file may be truncated`);
    const raw = bytes.subarray(start, start + csize);
    let data: Uint8Array;
    if (method === 0) {
      if (csize !== usize) throw damaged(`entry "${name}" has inconsistent sizes`);
      data = raw;
    } else if (method === 8) {
      try {
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, usize) });
      } catch (e) {
        const tooLarge = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
        throw damaged(`entry "${name}" ${tooLarge ? `inflates to more than its declared ${usize} bytes` : `does not inflate: ${(e as Error).message}`}`);
      }
      if (data.length !== usize) throw damaged(`entry "${name}" inflates to ${data.length} bytes, not ${usize}`);
    } else {
      throw damaged(`entry "${name}" uses compression method ${method}`);
    }
    if (crc32(data) >>> 0 !== crc) throw damaged(`entry "${name}" fails its checksum`);
    files.set(name, data);
  }
  return files;
}

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  /** Store without compression (PNG data, ORA's mimetype). */
  store?: boolean;
}

/** Writes entries in the given order (ORA needs `mimetype` first and stored). */
export function zipEntries(entries: ZipEntry[]): Uint8Array {
  const zippable: Zippable = {};
  for (const e of entries) {
    if (e.name in zippable) throw new Error(`duplicate zip entry "${e.name}"`);
    zippable[e.name] = [e.data, { level: e.store ? 0 : 6 }];
  }
  // Object key order is insertion order for non-integer keys, and fflate writes entries in key order.
  return zipSync(zippable);
}
