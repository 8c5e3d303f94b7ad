/**
 * A PNG written row band by row band (8-bit RGBA, Paeth filter, zlib stream), so an image far larger
 * than memory allows — a 16384² upscale is 1 GiB as RGBA — reaches disk holding only the rows in hand.
 * Written to `<path>.tmp` and renamed when complete: a failed or cancelled write never leaves half a file.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { crc32, createDeflate, type Deflate } from 'node:zlib';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export class PngRowWriter {
  private readonly file: WriteStream;
  private readonly deflate: Deflate;
  private readonly tmp: string;
  private prev: Uint8Array;
  private rowsWritten = 0;
  private failure: Error | undefined;
  private readonly finished: Promise<void>;

  constructor(private readonly path: string, readonly width: number, readonly height: number, extraChunks: readonly Uint8Array[] = []) {
    this.tmp = `${path}.${process.pid}.tmp`;
    this.prev = new Uint8Array(width * 4);
    this.file = createWriteStream(this.tmp);
    this.deflate = createDeflate({ level: 6 });
    this.finished = new Promise<void>((resolve, reject) => {
      const fail = (e: Error) => {
        this.failure ??= e;
        reject(e);
      };
      this.file.on('error', fail);
      this.deflate.on('error', fail);
      this.file.on('finish', () => resolve());
    });
    // Unhandled until close() awaits it; a failure still surfaces through write().
    this.finished.catch(() => undefined);
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 6; // RGBA
    this.file.write(SIGNATURE);
    this.file.write(chunk('IHDR', ihdr));
    for (const c of extraChunks) this.file.write(c);
    this.deflate.on('data', (data: Buffer) => {
      if (!this.file.write(chunk('IDAT', data))) this.deflate.pause();
    });
    this.file.on('drain', () => this.deflate.resume());
  }

  /** Appends `count` rows of RGBA (top to bottom); waits while the disk catches up. */
  async write(rows: Uint8Array, count: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.rowsWritten + count > this.height) throw new Error(`PNG ${this.path}: ${this.rowsWritten + count} rows written into a ${this.height}-row image`);
    const stride = this.width * 4;
    const out = Buffer.alloc(count * (stride + 1));
    for (let r = 0; r < count; r++) {
      const row = rows.subarray(r * stride, (r + 1) * stride);
      const o = r * (stride + 1);
      out[o] = 4; // Paeth
      for (let i = 0; i < stride; i++) {
        const a = i >= 4 ? row[i - 4]! : 0;
        const c = i >= 4 ? this.prev[i - 4]! : 0;
        out[o + 1 + i] = (row[i]! - paeth(a, this.prev[i]!, c)) & 0xff;
      }
      this.prev = row;
    }
    // Keep our own copy of the last row: the caller may reuse its buffer.
    this.prev = Uint8Array.from(this.prev);
    this.rowsWritten += count;
    if (!this.deflate.write(out)) await new Promise<void>((resolve) => this.deflate.once('drain', resolve));
    if (this.failure) throw this.failure;
  }

  /** Finishes the file and moves it into place; throws if any row is missing. */
  async close(): Promise<void> {
    if (this.rowsWritten !== this.height) {
      await this.abort();
      throw new Error(`PNG ${this.path}: only ${this.rowsWritten} of ${this.height} rows were written`);
    }
    // 'end': the last compressed bytes have been handed to the file (after any backpressure pause).
    await new Promise<void>((resolve) => {
      this.deflate.once('end', resolve);
      this.deflate.end();
    });
    this.file.end(chunk('IEND', new Uint8Array(0)));
    await this.finished;
    await rename(this.tmp, this.path);
  }

  /** Drops the partial file (cancel, failure). */
  async abort(): Promise<void> {
    this.deflate.destroy();
    // A stream still opening its file finishes the open before it closes: removing the file before 'close'
    // could run first and leave the temp file behind (seen under load).
    if (!this.file.closed) await new Promise<void>((resolve) => this.file.once('close', () => resolve()).destroy());
    await rm(this.tmp, { force: true });
  }
}
