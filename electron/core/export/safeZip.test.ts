import { strToU8, zipSync } from 'fflate';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { unzipAll, ZipArchive, zipEntries } from './safeZip.js';

/** Sets the declared uncompressed size of `name` in the central directory (a lying archive). */
function declare(zip: Uint8Array, size: number): Uint8Array {
  const out = Uint8Array.from(zip);
  const cd = out.findIndex((_, i) => out[i] === 0x50 && out[i + 1] === 0x4b && out[i + 2] === 1 && out[i + 3] === 2);
  new DataView(out.buffer).setUint32(cd + 24, size, true);
  return out;
}

describe('ZipArchive', () => {
  it('lists entries in order and inflates only what is read', async () => {
    const zip = ZipArchive.open(zipEntries([{ name: 'b', data: strToU8('2') }, { name: 'a', data: strToU8('1'), store: true }]));
    expect(zip.names).toEqual(['b', 'a']);
    expect(new TextDecoder().decode(await zip.read('a'))).toBe('1');
    expect(zip.spentBytes).toBe(1);
    expect(await zip.read('missing')).toBeUndefined();
  });

  it('refuses an entry whose declared size is over the limit before inflating it', async () => {
    const zip = ZipArchive.open(zipSync({ big: new Uint8Array(5000) }));
    await expect(zip.read('big', { maxBytes: 4096 })).rejects.toThrow(/has an entry "big" that claims 5000 bytes, more than the 4096 allowed/);
    // A lie in the central directory (claims 3 GiB) is caught by the archive's budget the same way.
    await expect(ZipArchive.open(declare(zipSync({ x: strToU8('tiny') }), 3 * 2 ** 30)).read('x')).rejects.toThrow(/more than the 1024 MiB this file may use/);
  });

  it('stops inflating the moment output passes the declared size (a bomb that under-declares)', async () => {
    // 16 MiB of zeros deflate to ~16 KB; the entry says 1000 bytes.
    const bomb = zipSync({ z: new Uint8Array(16 << 20) }, { level: 1 });
    const before = process.memoryUsage().arrayBuffers;
    await expect(ZipArchive.open(declare(bomb, 1000)).read('z')).rejects.toThrow(/entry "z" inflates to more than its declared 1000 bytes/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 << 20);
  });

  it('checks an entry against what its first bytes allow before allocating for it', async () => {
    const zip = ZipArchive.open(zipSync({ img: new Uint8Array(1 << 20) }));
    const heads: number[] = [];
    await expect(zip.read('img', { limitFromHead: (head) => (heads.push(head.length), 1000) })).rejects.toThrow(/claims 1048576 bytes, more than its header allows \(1000\)/);
    expect(heads).toEqual([64]);
  });

  it('bounds the entry count and the running total', async () => {
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i < 20; i++) many[`f${i}`] = strToU8('x'.repeat(100));
    expect(() => ZipArchive.open(zipSync(many), { maxEntries: 10 })).toThrow(/has more than 10 entries/);
    await expect(unzipAll(zipSync(many), { budgetBytes: 1000 })).rejects.toThrow(/would inflate to more than the 0 MiB this file may use \(at "f10"\)/);
  });

  it('returns stored entries as views into the file (no second copy) and checks every CRC', async () => {
    const bytes = zipEntries([{ name: 'img.png', data: strToU8('pretend png bytes'), store: true }, { name: 'doc.json', data: strToU8('{"a":1}'.repeat(50)) }]);
    const files = await unzipAll(bytes);
    expect(files.get('img.png')!.buffer).toBe(bytes.buffer);
    expect(new TextDecoder().decode(files.get('doc.json')!)).toBe('{"a":1}'.repeat(50));
    const flipped = Uint8Array.from(bytes);
    flipped[bytes.indexOf(0x70, 40)] ^= 1; // a byte inside the stored entry's data
    await expect(unzipAll(flipped)).rejects.toThrow(/entry "img\.png" fails its checksum/);
  });

  it('names garbage as not a zip, and bad deflate data as damaged', async () => {
    expect(() => ZipArchive.open(strToU8('hello'))).toThrow(/^it is not a zip archive, or it is truncated/);
    const zip = Uint8Array.from(zipSync({ d: strToU8('hello hello hello') }, { level: 6 }));
    const data = deflateRawSync(strToU8('hello hello hello'));
    zip.set([0xff, 0xff, 0xff], zip.indexOf(data[0], 30));
    await expect(unzipAll(zip)).rejects.toThrow(/its zip data is damaged \(entry "d"/);
  });
});
