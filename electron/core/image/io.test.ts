import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeMaskPng, readMask, readRgba, toPng } from './io.js';

const rgbaPng = (w: number, h: number, px: number[]) => sharp(Buffer.from(px), { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();

/** 4×2: the left half white, the right half black, stored with EXIF orientation 6 (shown turned a quarter clockwise, 2×4). */
async function rotatedJpeg(): Promise<Buffer> {
  const px: number[] = [];
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) px.push(...(x < 2 ? [255, 255, 255] : [0, 0, 0]));
  return sharp(Buffer.from(px), { raw: { width: 4, height: 2, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
}

describe('the image codec (one set of rules for files, uploads and the image store)', () => {
  it('masks: white repaints, black keeps; alpha scales (transparent keeps); a grey stays its value', async () => {
    const grays = Array.from({ length: 256 }, (_, v) => [v, v, v, 255]).flat();
    expect(Array.from((await readMask(await rgbaPng(256, 1, grays))).data)).toEqual(Array.from({ length: 256 }, (_, v) => v));
    const alphas = Array.from({ length: 256 }, (_, a) => [255, 255, 255, a]).flat();
    expect(Array.from((await readMask(await rgbaPng(256, 1, alphas))).data)).toEqual(Array.from({ length: 256 }, (_, a) => a));
    // A half-transparent grey is half its value; a coloured pixel counts by its brightness, not by one channel.
    const [semiGray, red, green] = (await readMask(await rgbaPng(3, 1, [128, 128, 128, 128, 255, 0, 0, 255, 0, 255, 0, 255]))).data;
    expect(semiGray).toBe(64);
    expect(red).toBeLessThan(green!);
    expect(red).toBeLessThan(255);
  });

  it('a mask stored as one gray channel reads back exactly', async () => {
    const data = new Uint8Array(64 * 48).map((_, i) => (i * 37) % 256);
    const back = await readMask(await encodeMaskPng({ width: 64, height: 48, data }));
    expect([back.width, back.height]).toEqual([64, 48]);
    expect(Buffer.compare(Buffer.from(back.data), Buffer.from(data))).toBe(0);
  });

  it('honours EXIF orientation everywhere: images, masks and uploads', async () => {
    const jpeg = await rotatedJpeg();
    const img = await readRgba(jpeg);
    expect([img.width, img.height]).toEqual([2, 4]);
    const mask = await readMask(jpeg);
    expect([mask.width, mask.height]).toEqual([2, 4]);
    // Turned clockwise: the white left half is now the top half.
    expect(mask.data[0]).toBeGreaterThan(200);
    expect(mask.data[7]).toBeLessThan(50);
    const up = await toPng(jpeg);
    expect([up.width, up.height]).toEqual([2, 4]);
    expect((await readMask(up.png)).data).toEqual(mask.data);
  });

  it('a PNG upload passes through byte for byte; the size limit is one sentence before decoding', async () => {
    const png = await rgbaPng(2, 1, [1, 2, 3, 255, 4, 5, 6, 128]);
    expect(Buffer.compare((await toPng(png)).png, png)).toBe(0);
    const wide = await sharp({ create: { width: 16385, height: 1, channels: 3, background: '#fff' } }).png().toBuffer();
    await expect(readRgba(wide, 'the init image')).rejects.toThrow('the init image is 16385×1; the limit is 16384 px a side.');
    await expect(readMask(wide)).rejects.toThrow(/^mask is 16385×1; the limit is 16384 px a side/);
    await expect(toPng(wide)).rejects.toThrow('The image is 16385×1; the limit is 16384 px a side.');
    await expect(toPng(Buffer.from('nope'))).rejects.toThrow('This file is not an image Atelier can read (PNG, JPEG or WebP).');
    await expect(toPng(png.subarray(0, png.length - 20))).rejects.toThrow(/damaged or truncated/);
  });
});
