import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { unzipBounded, zipEntries } from './safeZip.js';

describe('unzipBounded', () => {
  it('reads entries in order and skips what the caller does not keep', () => {
    const zip = zipEntries([{ name: 'b', data: strToU8('2') }, { name: 'a', data: strToU8('1'), store: true }]);
    expect([...unzipBounded(zip).keys()]).toEqual(['b', 'a']);
    expect([...unzipBounded(zip, { keep: (n) => n === 'a' }).keys()]).toEqual(['a']);
  });

  it('refuses an entry whose declared size is over the limit before inflating it', () => {
    const zip = zipSync({ big: new Uint8Array(5000) });
    expect(() => unzipBounded(zip, { maxEntryBytes: 4096 })).toThrow(/has an entry "big" that claims 5000 bytes, more than the 4096 allowed/);
    // A lie in the central directory (claims 3 GiB) is caught the same way.
    const lying = Uint8Array.from(zipSync({ x: strToU8('tiny') }));
    const cd = lying.findIndex((_, i) => lying[i] === 0x50 && lying[i + 1] === 0x4b && lying[i + 2] === 1 && lying[i + 3] === 2);
    new DataView(lying.buffer).setUint32(cd + 24, 3 * 2 ** 30, true);
    expect(() => unzipBounded(lying)).toThrow(/claims 3221225472 bytes/);
  });

  it('bounds the entry count and the total', () => {
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i < 20; i++) many[`f${i}`] = strToU8('x'.repeat(100));
    expect(() => unzipBounded(zipSync(many), { maxEntries: 10 })).toThrow(/has more than 10 entries/);
    expect(() => unzipBounded(zipSync(many), { maxTotalBytes: 1000 })).toThrow(/adding up to more than 1000 bytes/);
  });

  it('returns stored entries as views into the file (no second copy) and checks every CRC', () => {
    const zip = zipEntries([{ name: 'img.png', data: strToU8('pretend png bytes'), store: true }, { name: 'doc.json', data: strToU8('{"a":1}'.repeat(50)) }]);
    const files = unzipBounded(zip);
    expect(files.get('img.png')!.buffer).toBe(zip.buffer);
    expect(new TextDecoder().decode(files.get('doc.json')!)).toBe('{"a":1}'.repeat(50));
    const flipped = Uint8Array.from(zip);
    flipped[zip.indexOf(0x70, 40)] ^= 1; // a byte inside the stored entry's data
    expect(() => unzipBounded(flipped)).toThrow(/entry "img\.png" fails its checksum/);
  });

  it('names garbage as not a zip', () => {
    expect(() => unzipBounded(strToU8('hello'))).toThrow(/^it is not a zip archive, or it is truncated/);
  });
});
