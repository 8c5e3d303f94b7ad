import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema } from '../../contract/generation.js';
import { createRgba, type RgbaImage } from '../image/types.js';
import type { GenerationMetadata } from './generationMetadata.js';
import { buildChunk, insertChunksBeforeIend, readPngChunks } from './pngChunks.js';
import {
  encodeImage,
  encodePng,
  formatA1111Parameters,
  parseA1111Parameters,
  readImageMetadata,
  readPngMetadata,
} from './pngMetadata.js';
import { identifyVerbose, PNGCHECK, python, reportMissing } from './readerTools.testutil.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-png-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function meta(over: Partial<GenerationMetadata['settings']> = {}, rest: Partial<GenerationMetadata> = {}): GenerationMetadata {
  return {
    settings: GenerationSettingsSchema.parse({
      mode: 'txt2img', prompt: 'a small wooden boat, sunset', negativePrompt: 'blurry', width: 512, height: 512,
      steps: 20, guidance: 7, scheduler: 'euler-a', seed: 42, ...over,
    }),
    model: 'sd-turbo',
    seed: 42,
    app: 'atelier',
    appVersion: '0.1.0',
    ...rest,
  };
}

function gradient(width: number, height: number): RgbaImage {
  const img = createRgba(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      img.data.set([x * 7 & 255, y * 5 & 255, (x + y) & 255, 255 - (x & 127)], i);
    }
  }
  return img;
}

describe('A1111 parameters text', () => {
  it('formats txt2img like A1111 (no denoising strength)', () => {
    expect(formatA1111Parameters(meta())).toBe(
      'a small wooden boat, sunset\nNegative prompt: blurry\n' +
        'Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model: sd-turbo, Version: Atelier 0.1.0',
    );
  });

  it('omits an empty negative prompt, adds strength and mask blur for inpaint, quotes values with commas', () => {
    const text = formatA1111Parameters(
      meta({ mode: 'inpaint', negativePrompt: '', strength: 0.6, maskFeather: 3, guidance: 7.5, scheduler: 'dpmpp-2m-karras' },
        { model: 'my, model', modelHash: 'abc123', seed: 43 }),
    );
    expect(text).toBe(
      'a small wooden boat, sunset\nSteps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 43, Size: 512x512, ' +
        'Model hash: abc123, Model: "my, model", Denoising strength: 0.6, Mask blur: 3, Version: Atelier 0.1.0',
    );
  });

  it('parses back what it formats, including multi-line prompts and quoted values', () => {
    const m = meta({ mode: 'img2img', prompt: 'line one\nline two: colon', negativePrompt: 'neg a\nneg b', strength: 0.4, width: 768, height: 640 },
      { model: 'x, "y"', seed: 4000000000 });
    const parsed = parseA1111Parameters(formatA1111Parameters(m));
    expect(parsed.settings).toMatchObject({
      mode: 'img2img', prompt: 'line one\nline two: colon', negativePrompt: 'neg a\nneg b', steps: 20, guidance: 7,
      scheduler: 'euler-a', width: 768, height: 640, strength: 0.4, seed: 4000000000,
    });
    expect(parsed.model).toBe('x, "y"');
    expect(parsed.seed).toBe(4000000000);
  });

  it('reads a real A1111 line with fields we do not know and a prompt-only text', () => {
    const a = parseA1111Parameters(
      'masterpiece, cat\nNegative prompt: lowres\nSteps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5.5, ' +
        'Seed: 123, Size: 832x1216, Model hash: 31e35c80fc, Model: sd_xl_base_1.0, Lora hashes: "a: 1, b: 2", Version: v1.10.1',
    );
    expect(a.settings).toMatchObject({ prompt: 'masterpiece, cat', negativePrompt: 'lowres', steps: 30, guidance: 5.5, scheduler: 'dpmpp-2m', width: 832, height: 1216 });
    expect(a.other['Lora hashes']).toBe('a: 1, b: 2');
    expect(a.modelHash).toBe('31e35c80fc');
    const b = parseA1111Parameters('just a prompt, nothing else');
    expect(b.settings.prompt).toBe('just a prompt, nothing else');
    expect(b.seed).toBeUndefined();
  });
});

describe('PNG with metadata', () => {
  it('round-trips pixels and metadata; Unicode parameters go to iTXt', async () => {
    const img = gradient(37, 23);
    const m = meta({ prompt: 'un petit bateau — 小さな船' });
    const png = await encodePng(img, m);
    const raw = await sharp(png).ensureAlpha().raw().toBuffer();
    expect(Buffer.compare(raw, Buffer.from(img.data))).toBe(0);
    const read = readPngMetadata(png);
    expect(read.atelier).toEqual(m);
    expect(read.parameters).toBe(formatA1111Parameters(m));
    const types = readPngChunks(png).chunks.map((c) => c.type);
    expect(types.filter((t) => t === 'iTXt')).toHaveLength(2);
    expect(types[types.length - 1]).toBe('IEND');
  });

  // ImageMagick 6 lists tEXt/zTXt only (it skips every iTXt, Pillow's too), so it checks `parameters`.
  it('ImageMagick reads the parameters tEXt chunk (CRC right)', async ({ skip }) => {
    if (reportMissing('imagemagick', 'imagemagick')) skip();
    const path = join(dir, 'meta.png');
    writeFileSync(path, await encodePng(gradient(16, 16), meta()));
    const out = identifyVerbose(path);
    expect(out).toContain('parameters: a small wooden boat, sunset');
    expect(out).toContain('Version: Atelier 0.1.0');
    // ImageMagick warns about chunks whose CRC is wrong.
    expect(out).not.toMatch(/CRC error/i);
  });

  it('pngcheck validates every chunk and CRC and lists both text chunks', async ({ skip }) => {
    if (reportMissing('pngcheck', 'pngcheck')) skip();
    const path = join(dir, 'check.png');
    writeFileSync(path, await encodePng(gradient(16, 16), meta({ prompt: 'bateau — 船' })));
    const out = execFileSync(PNGCHECK, ['-vt', path], { encoding: 'utf8' });
    expect(out).toMatch(/chunk iTXt at .*keyword: parameters/);
    expect(out).toMatch(/chunk iTXt at .*keyword: atelier/);
    expect(out).toMatch(/No errors detected/);
  });

  it('Pillow reads both chunks and verifies every CRC', async ({ skip }) => {
    if (reportMissing('pillow', 'python3-pil')) skip();
    const path = join(dir, 'pillow.png');
    const m = meta({ prompt: 'bateau — 船' });
    writeFileSync(path, await encodePng(gradient(16, 16), m));
    const out = python(
      'import sys, json\nfrom PIL import Image, ImageFile\nImageFile.LOAD_TRUNCATED_IMAGES = False\n' +
        'im = Image.open(sys.argv[1]); im.verify()\nim = Image.open(sys.argv[1]); im.load()\n' +
        'print(json.dumps({"parameters": im.text["parameters"], "atelier": json.loads(im.text["atelier"])}))',
      [path],
    );
    const parsed = JSON.parse(out) as { parameters: string; atelier: GenerationMetadata };
    expect(parsed.parameters).toBe(formatA1111Parameters(m));
    expect(parsed.atelier).toEqual(m);
  });

  it('reads zTXt and compressed iTXt written by other tools', async () => {
    const png = await encodePng(gradient(4, 4));
    const z = buildChunk('zTXt', Buffer.concat([Buffer.from('parameters\0\0'), deflateSync('from zTXt')]));
    const it2 = buildChunk('iTXt', Buffer.concat([Buffer.from('atelier\0\x01\0en\0\0'), deflateSync(JSON.stringify(meta()))]));
    const read = readPngMetadata(insertChunksBeforeIend(png, [z, it2]));
    expect(read.parameters).toBe('from zTXt');
    expect(read.atelier).toEqual(meta());
  });

  it('is robust to garbage: clear error for non-PNG, skips bad CRC, keeps what precedes a truncation', async () => {
    expect(() => readPngMetadata(new Uint8Array([1, 2, 3]))).toThrow(/not a PNG/);
    expect(() => readPngMetadata(new Uint8Array(0))).toThrow(/not a PNG/);
    const png = await encodePng(gradient(8, 8), meta());
    const bad = Uint8Array.from(png);
    const atelierChunk = readPngChunks(bad).chunks.find((c) => c.type === 'iTXt')!;
    bad[atelierChunk.offset + 20] ^= 0xff; // corrupt the chunk body: CRC no longer matches
    const read = readPngMetadata(bad);
    expect(read.atelier).toBeUndefined();
    expect(read.parameters).toBeDefined();
    const truncated = png.subarray(0, atelierChunk.offset + 30);
    expect(readPngMetadata(truncated).parameters).toBeDefined();
    // A chunk that claims 2 GB: the walk stops, nothing is allocated for it.
    const huge = Uint8Array.from(png);
    new DataView(huge.buffer).setUint32(atelierChunk.offset, 0x7ffffff0);
    expect(readPngMetadata(huge).atelier).toBeUndefined();
    // Invalid JSON in our chunk is ignored rather than trusted.
    const wrong = insertChunksBeforeIend(await encodePng(gradient(2, 2)), [buildChunk('tEXt', Buffer.from('atelier\0{"app":"other"}'))]);
    expect(readPngMetadata(wrong).atelier).toBeUndefined();
  });

  it('rejects pixel data that does not match the size', async () => {
    await expect(encodePng({ width: 4, height: 4, data: new Uint8Array(10) })).rejects.toThrow(/does not match/);
  });
});

describe('JPEG and WebP with metadata', () => {
  for (const format of ['jpeg', 'webp'] as const) {
    it(`${format}: XMP carries parameters and our JSON; readers see it`, async () => {
      const m = meta({ prompt: 'boat — 船, "quoted" & <tagged>' });
      const bytes = await encodeImage(gradient(32, 32), format, { quality: 80 }, m);
      const info = await sharp(bytes).metadata();
      expect(info.format).toBe(format);
      const read = await readImageMetadata(bytes);
      expect(read.atelier).toEqual(m);
      expect(read.parameters).toBe(formatA1111Parameters(m));
    });
  }

  it('ASCII parameters also go to EXIF UserComment, which ImageMagick shows', async ({ skip }) => {
    if (reportMissing('imagemagick', 'imagemagick')) skip();
    const path = join(dir, 'meta.jpg');
    writeFileSync(path, await encodeImage(gradient(16, 16), 'jpeg', {}, meta()));
    const out = identifyVerbose(path);
    const bytes = /exif:UserComment: ([\d, ]+)/.exec(out)![1].split(',').map((s) => Number(s.trim()));
    expect(Buffer.from(bytes).toString('latin1')).toBe(`ASCII\0\0\0${formatA1111Parameters(meta())}`);
  });

  it('rejects a bad quality and unreadable bytes with one-line errors', async () => {
    await expect(encodeImage(gradient(2, 2), 'jpeg', { quality: 0 })).rejects.toThrow(/quality/);
    await expect(readImageMetadata(Buffer.from('hello'))).rejects.toThrow(/not a readable image/);
  });
});
