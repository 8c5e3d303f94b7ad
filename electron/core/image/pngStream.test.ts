import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRgba } from './io.js';
import { PngRowWriter } from './pngStream.js';

describe('PngRowWriter', () => {
  it('writes a PNG band by band that a real decoder (libvips) reads back pixel for pixel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'png-stream-'));
    const [w, h] = [301, 123];
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251 ^ (i >> 9);
    const path = join(dir, 'out.png');
    const png = new PngRowWriter(path, w, h);
    for (let y = 0; y < h; y += 50) {
      const count = Math.min(50, h - y);
      await png.write(data.slice(y * w * 4, (y + count) * w * 4), count);
    }
    await png.close();
    const back = await readRgba(path);
    expect([back.width, back.height]).toEqual([w, h]);
    expect(Buffer.compare(Buffer.from(back.data), Buffer.from(data))).toBe(0);
    expect(readFileSync(path).subarray(1, 4).toString()).toBe('PNG');
  });

  it('leaves no file behind when rows are missing or the write is aborted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'png-stream-'));
    const png = new PngRowWriter(join(dir, 'short.png'), 10, 10);
    await png.write(new Uint8Array(10 * 4 * 3), 3);
    await expect(png.close()).rejects.toThrow('only 3 of 10 rows were written');
    const other = new PngRowWriter(join(dir, 'cancelled.png'), 10, 10);
    await other.abort();
    expect(existsSync(join(dir, 'short.png'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
