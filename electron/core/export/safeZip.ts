import { zipSync, type Zippable } from 'fflate';
import { crc32, createInflateRaw } from 'node:zlib';
import { UserError } from '../../shared/userError.js';

/**
 * Zip reading for untrusted files (.atelier, .ora). We read the central directory ourselves, then
 * inflate only the entries the caller asks for, one at a time, checking as bytes come out of zlib:
 * never past the entry's declared size, the caller's limit for it (which may come from the entry's own
 * first bytes, e.g. a PNG header), or what is left of the archive's budget. Memory for an entry is
 * allocated only after its first bytes passed those checks. Stored entries come back as views into the
 * file (no second copy of every PNG); every CRC-32 is checked. No zip64 (our writer never needs it).
 */

export class ZipFormatError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

export interface ZipLimits {
  /** Most entries listed (default 10,000). */
  maxEntries?: number;
  /** Most bytes all entries read from this archive may inflate to together (default 1 GiB). */
  budgetBytes?: number;
}

export interface ZipReadOptions {
  /** Most bytes this entry may inflate to (besides its declared size and the archive's budget). */
  maxBytes?: number;
  /** Given the entry's first bytes (at least 64 unless the entry is shorter), the most it may inflate to; throw to refuse. */
  limitFromHead?: (head: Uint8Array) => number;
}

interface CentralEntry {
  flags: number;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  local: number;
}

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');
const HEAD_BYTES = 64;

export class ZipArchive {
  private readonly entries = new Map<string, CentralEntry>();
  private spent = 0;
  private readonly budget: number;

  private constructor(private readonly bytes: Uint8Array, limits: ZipLimits) {
    this.budget = limits.budgetBytes ?? 2 ** 30;
  }

  /** Reads the central directory (names and declared sizes); inflates nothing. */
  static open(bytes: Uint8Array, limits: ZipLimits = {}): ZipArchive {
    const zip = new ZipArchive(bytes, limits);
    zip.readDirectory(limits.maxEntries ?? 10_000);
    return zip;
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Bytes inflated (or reserved) so far against the budget. */
  get spentBytes(): number {
    return this.spent;
  }

  /** The entry's bytes, or undefined when there is no such entry. */
  async read(name: string, options: ZipReadOptions = {}): Promise<Uint8Array | undefined> {
    const e = this.entries.get(name);
    if (!e) return undefined;
    const damaged = (what: string) => new ZipFormatError(`its zip data is damaged (entry "${name}" ${what})`);
    if (e.flags & 1) throw new ZipFormatError(`it has an encrypted entry "${name}"`);
    const left = this.budget - this.spent;
    const limit = Math.min(options.maxBytes ?? Infinity, left);
    if (e.usize > limit) {
      throw new ZipFormatError(
        limit === left
          ? `its entries would inflate to more than the ${mib(this.budget)} this file may use (at "${name}")`
          : `it has an entry "${name}" that claims ${e.usize} bytes, more than the ${limit} allowed`,
      );
    }
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    if (e.local + 30 > this.bytes.length || v.getUint32(e.local, true) !== 0x04034b50) throw damaged('has no local header');
    const start = e.local + 30 + v.getUint16(e.local + 26, true) + v.getUint16(e.local + 28, true);
    if (start + e.csize > this.bytes.length) throw damaged('is cut short; the file may be truncated');
    const raw = this.bytes.subarray(start, start + e.csize);
    const checkHead = (head: Uint8Array) => {
      if (!options.limitFromHead) return;
      const headLimit = options.limitFromHead(head);
      if (e.usize > headLimit) throw new ZipFormatError(`it has an entry "${name}" that claims ${e.usize} bytes, more than its header allows (${headLimit})`);
    };
    this.spent += e.usize;
    let data: Uint8Array;
    if (e.method === 0) {
      if (e.csize !== e.usize) throw damaged('has inconsistent sizes');
      checkHead(raw.subarray(0, HEAD_BYTES));
      data = raw;
    } else if (e.method === 8) {
      data = await inflateBounded(raw, e.usize, checkHead, damaged);
    } else {
      throw damaged(`uses compression method ${e.method}`);
    }
    if (crc32(data) >>> 0 !== e.crc) throw damaged('fails its checksum');
    return data;
  }

  private readDirectory(maxEntries: number): void {
    const bytes = this.bytes;
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
    let p = cdOffset;
    for (let i = 0; i < count; i++) {
      if (p + 46 > eocd || v.getUint32(p, true) !== 0x02014b50) throw damaged('damaged central directory');
      const flags = v.getUint16(p + 8, true);
      const nameLength = v.getUint16(p + 28, true);
      const next = p + 46 + nameLength + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
      if (next > eocd) throw damaged('damaged central directory');
      const name = (flags & 0x800 ? utf8 : latin1).decode(bytes.subarray(p + 46, p + 46 + nameLength));
      if (!this.entries.has(name)) {
        this.entries.set(name, {
          flags,
          method: v.getUint16(p + 10, true),
          crc: v.getUint32(p + 16, true),
          csize: v.getUint32(p + 20, true),
          usize: v.getUint32(p + 24, true),
          local: v.getUint32(p + 42, true),
        });
      }
      p = next;
    }
  }
}

/**
 * Streaming raw inflate into a buffer of the declared size, allocated once the first bytes passed
 * `checkHead`; stops (and frees) the moment output would pass the declared size.
 */
function inflateBounded(raw: Uint8Array, usize: number, checkHead: (head: Uint8Array) => void, damaged: (what: string) => ZipFormatError): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const inflater = createInflateRaw({ chunkSize: 64 * 1024 });
    let out: Uint8Array | null = null;
    let head: Buffer[] = [];
    let headLength = 0;
    let n = 0;
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      inflater.destroy();
      reject(e);
    };
    const place = (chunk: Uint8Array) => {
      if (!out) {
        checkHead(chunk.subarray(0, HEAD_BYTES));
        out = new Uint8Array(usize);
      }
      out.set(chunk, n);
      n += chunk.length;
    };
    inflater.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        if (n + headLength + chunk.length > usize) throw damaged(`inflates to more than its declared ${usize} bytes`);
        if (out) return place(chunk);
        head.push(chunk);
        headLength += chunk.length;
        if (headLength >= HEAD_BYTES) {
          const first = Buffer.concat(head);
          head = [];
          headLength = 0;
          place(first);
        }
      } catch (e) {
        fail(e);
      }
    });
    inflater.on('error', (e) => fail(damaged(`does not inflate: ${e.message}`)));
    inflater.on('end', () => {
      if (failed) return;
      try {
        if (headLength) place(Buffer.concat(head));
        if (!out) place(new Uint8Array(0));
        if (n !== usize) throw damaged(`inflates to ${n} bytes, not ${usize}`);
        resolve(out!);
      } catch (e) {
        fail(e);
      }
    });
    inflater.end(raw);
  });
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** Reads a whole small archive (tests, tools): every entry, within the limits. */
export async function unzipAll(bytes: Uint8Array, limits: ZipLimits = {}): Promise<Map<string, Uint8Array>> {
  const zip = ZipArchive.open(bytes, limits);
  const files = new Map<string, Uint8Array>();
  for (const name of zip.names) files.set(name, (await zip.read(name))!);
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
