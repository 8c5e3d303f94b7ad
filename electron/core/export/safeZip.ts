import { unzipSync, zipSync, type Zippable } from 'fflate';

/**
 * Zip reading for untrusted files (.atelier, .ora) on top of fflate. fflate allocates each entry at its
 * declared size and trusts the entry count, so declared sizes and counts are checked here before any
 * allocation; a lying size only truncates the entry (which the caller's hash or decoder then rejects).
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

export function unzipBounded(bytes: Uint8Array, limits: UnzipLimits = {}): Map<string, Uint8Array> {
  const maxEntries = limits.maxEntries ?? 10_000;
  const maxEntryBytes = limits.maxEntryBytes ?? 1 << 30;
  const maxTotalBytes = limits.maxTotalBytes ?? 4 * 2 ** 30;
  let entries = 0;
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (info) => {
        if (++entries > maxEntries) throw new ZipFormatError(`has more than ${maxEntries} entries`);
        if (limits.keep && !limits.keep(info.name)) return false;
        if (!Number.isFinite(info.originalSize) || info.originalSize < 0 || !Number.isFinite(info.size) || info.size < 0) {
          throw new ZipFormatError(`has an entry "${info.name}" with a damaged header`);
        }
        if (info.originalSize > maxEntryBytes) {
          throw new ZipFormatError(`has an entry "${info.name}" that claims ${info.originalSize} bytes, more than the ${maxEntryBytes} allowed`);
        }
        total += info.originalSize;
        if (total > maxTotalBytes) throw new ZipFormatError(`has entries adding up to more than ${maxTotalBytes} bytes`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof ZipFormatError) throw e;
    throw new ZipFormatError(`is not a readable zip archive (${(e as Error).message || 'damaged data'})`);
  }
  return new Map(Object.entries(files));
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
