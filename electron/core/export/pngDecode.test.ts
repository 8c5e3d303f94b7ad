import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { gradientImage } from './fixtures/sampleDocument.js';
import { decodePngGray, decodePngRgba } from './pngDecode.js';
import { python, reportMissing } from './readerTools.testutil.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-pngdecode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** sharp's own decode as the reference (RGBA, 8 bit). */
async function reference(bytes: Uint8Array): Promise<Buffer> {
  return sharp(bytes).ensureAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer();
}

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('decodePngRgba', () => {
  it('matches sharp on the variants sharp writes (RGBA, RGB, grey, palette, all filters)', async () => {
    const img = gradientImage(61, 37);
    for (let i = 3; i < img.data.length; i += 28) img.data[i] = i & 255;
    const raw = sharp(img.data, { raw: { width: 61, height: 37, channels: 4 } });
    const variants: [string, Buffer][] = [
      ['rgba', await raw.clone().png({ adaptiveFiltering: true }).toBuffer()],
      ['rgb', await raw.clone().removeAlpha().png().toBuffer()],
      ['grey', await raw.clone().removeAlpha().toColourspace('b-w').png().toBuffer()],
      ['palette', await raw.clone().png({ palette: true, colours: 64 }).toBuffer()],
      ['palette-2bit', await raw.clone().png({ palette: true, colours: 4 }).toBuffer()],
      ['rgb16', await raw.clone().toColourspace('rgb16').png().toBuffer()],
    ];
    for (const [name, png] of variants) {
      const ours = decodePngRgba(png);
      expect(maxDiff(ours.data, await reference(png)), name).toBeLessThanOrEqual(1);
    }
  });

  it('matches sharp on Pillow-written modes (1-bit, LA, P+tRNS, I;16)', async ({ skip }) => {
    if (reportMissing('pillow', 'python3-pil')) skip();
    python(
      [
        'import sys', 'from PIL import Image', 'd = sys.argv[1]',
        'im = Image.linear_gradient("L").resize((45, 29))',
        'im.convert("1").save(d + "/bw.png")',
        'Image.merge("LA", (im, im.rotate(90))).save(d + "/la.png")',
        'p = im.convert("P"); p.info["transparency"] = 7; p.save(d + "/p.png", transparency=7)',
        'im.convert("I").point(lambda v: v * 257).convert("I;16").save(d + "/i16.png")',
        'im.convert("RGB").save(d + "/rgb-key.png", transparency=(0, 0, 0))',
      ].join('\n'),
      [dir],
    );
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.png'))) {
      const png = readFileSync(join(dir, file));
      expect(maxDiff(decodePngRgba(png).data, await reference(png)), file).toBeLessThanOrEqual(1);
    }
  });

  it('gray decode takes the red channel', async () => {
    const png = await sharp(Buffer.from([10, 20, 30, 255, 200, 0, 0, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    expect(Array.from(decodePngGray(png).data)).toEqual([10, 200]);
  });

  it('refuses absurd sizes before allocating and damaged data with a clear error', async () => {
    const png = Buffer.from(await sharp({ create: { width: 4, height: 4, channels: 4, background: '#000' } }).png().toBuffer());
    const huge = Buffer.from(png);
    huge.writeUInt32BE(100000, 16); // IHDR width (CRC now wrong, but sizes are checked first)
    expect(() => decodePngRgba(huge)).toThrow(/100000x4; sides must be/);
    const flipped = Buffer.from(png);
    flipped[66] ^= 4; // inside IDAT
    expect(() => decodePngRgba(flipped)).toThrow(/damaged/);
    const cut = png.subarray(0, png.length - 20);
    expect(() => decodePngRgba(cut)).toThrow(/PNG/);
    expect(() => decodePngRgba(Buffer.from('nope'))).toThrow(/not a PNG/);
  });
});
