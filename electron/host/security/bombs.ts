import { constants, crc32, createDeflateRaw } from 'node:zlib';

/**
 * Zip bombs for the security suite: small archives whose entries inflate to about 1 GiB. The deflate
 * stream is assembled from one repeating block (zlib's output for zeros is periodic after a sync
 * flush), so a 1 GiB entry costs a second to build, not a minute of deflating.
 */

const BLOCK = 4 << 20;

export interface DeflatedEntry {
  data: Buffer;
  crc: number;
  size: number;
}

/** `head` followed by zeros, `blocks` × `blockSize` bytes in all, as raw deflate with its CRC-32. */
export async function zerosAfter(head: Uint8Array, blocks: number, blockSize = BLOCK): Promise<DeflatedEntry> {
  const d = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  d.on('data', (c: Buffer) => out.push(c));
  const flush = () => new Promise<void>((r) => d.flush(constants.Z_SYNC_FLUSH, () => r()));
  const zeros = Buffer.alloc(blockSize);
  const first = Buffer.concat([head, zeros.subarray(0, blockSize - head.length)]);
  const parts: Buffer[] = [];
  for (const input of [first, zeros, zeros]) {
    d.write(input);
    await flush();
    parts.push(Buffer.concat(out.splice(0)));
  }
  d.end();
  await new Promise((r) => d.once('end', r));
  const tail = Buffer.concat(out.splice(0));
  if (!parts[1].equals(parts[2])) throw new Error('deflate output for zeros is not periodic here; cannot build the bomb');
  let crc = crc32(first);
  for (let i = 1; i < blocks; i++) crc = crc32(zeros, crc);
  return { data: Buffer.concat([parts[0], ...Array<Buffer>(blocks - 1).fill(parts[1]), tail]), crc: crc >>> 0, size: blocks * blockSize };
}

export interface ZipItem {
  name: string;
  stored?: Uint8Array;
  deflated?: DeflatedEntry;
}

/** A plain zip (no zip64) of stored and pre-deflated entries. */
export function zipOf(items: ZipItem[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const item of items) {
    const name = Buffer.from(item.name);
    const data = item.deflated?.data ?? Buffer.from(item.stored ?? new Uint8Array());
    const crc = item.deflated?.crc ?? crc32(item.stored ?? new Uint8Array()) >>> 0;
    const size = item.deflated?.size ?? data.length;
    const method = item.deflated ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    central.push(cd, name);
    offset += 30 + name.length + data.length;
  }
  const cdBytes = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(items.length, 8);
  eocd.writeUInt16LE(items.length, 10);
  eocd.writeUInt32LE(cdBytes.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBytes, eocd]);
}

/** The first 33 bytes of a PNG of this size (signature + IHDR, 8-bit RGBA). */
export function pngHead(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const chunk = Buffer.concat([Buffer.from('IHDR'), ihdr]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(13);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(chunk) >>> 0);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), len, chunk, crc]);
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/**
 * A valid, fully transparent 8-bit RGBA PNG of `width`×`height` (every scanline filter 0 and zero
 * pixels, so its data is all zeros), built in about a second at any size: 16000² is about 1 MB.
 * `rowsPerBlock` must divide `height`.
 */
export async function transparentPng(width: number, height: number, rowsPerBlock = 125): Promise<Buffer> {
  if (height % rowsPerBlock) throw new Error('rowsPerBlock must divide height');
  const rowBytes = 1 + 4 * width;
  const raw = await zerosAfter(new Uint8Array(), height / rowsPerBlock, rowBytes * rowsPerBlock);
  // zlib wrapper: header, raw deflate, Adler-32 of all zeros (a = 1, b = n mod 65521).
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((raw.size % 65521) << 16) | 1) >>> 0);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.concat([Buffer.from([0x78, 0xda]), raw.data, adler])),
    chunk('IEND', new Uint8Array()),
  ]);
}
