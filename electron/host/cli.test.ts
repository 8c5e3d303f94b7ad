import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngMetadata } from '../core/export/pngMetadata.js';
import { python, reportMissing } from '../core/export/readerTools.testutil.js';
import { readRgba } from '../core/image/io.js';
import { projectRoot } from '../core/models/defaultModel.js';
import { cli } from './testing/cliCapture.testutil.js';

const ROOT = projectRoot();
const SD15 = join(ROOT, 'native-models', 'test-models', 'sd15-tiny');
let dir: string;

const base = () => ['--model', SD15, '--width', '64', '--height', '64', '--steps', '3', '--data', join(dir, 'data')];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-cli-'));
  await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000' } })
    .composite([{ input: { create: { width: 24, height: 24, channels: 3, background: '#fff' } }, left: 20, top: 20 }])
    .png()
    .toFile(join(dir, 'mask.png'));
  await sharp({ create: { width: 32, height: 32, channels: 3, background: '#fff' } }).png().toFile(join(dir, 'small-mask.png'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli generate / img2img / inpaint', () => {
  it('generates a PNG carrying its parameters, and records it in the history', async () => {
    const out = join(dir, 'gen.png');
    const r = await cli('generate', ...base(), '--prompt', 'a red circle', '--seed', '42', '--out', out);
    expect(r.code).toBe(0);
    const png = readFileSync(out);
    const meta = readPngMetadata(png);
    expect(meta.parameters).toMatch(/^a red circle\nSteps: 3, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 64x64/);
    expect(meta.atelier?.settings.seed).toBe(42);
    const img = await readRgba(out);
    expect([img.width, img.height]).toEqual([64, 64]);
    const history = await cli('history', 'list', '--data', join(dir, 'data'));
    expect(history.out.join('\n')).toMatch(/done .*seed 42 .*a red circle/);
  });

  it('writes a batch to numbered files with consecutive seeds, in the format of the extension', async () => {
    const out = join(dir, 'batch.webp');
    const r = await cli('generate', ...base(), '--prompt', 'sky', '--seed', '7', '--batch', '2', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out.slice(0, 2)).toEqual([`${out}  seed 7`, `${join(dir, 'batch-2.webp')}  seed 8`]);
    expect((await sharp(join(dir, 'batch-2.webp')).metadata()).format).toBe('webp');
  });

  it('img2img and inpaint read an image; inpaint leaves unmasked pixels identical', async () => {
    const init = join(dir, 'gen.png');
    expect((await cli('img2img', ...base(), '--image', init, '--strength', '0.5', '--prompt', 'x', '--out', join(dir, 'i2i.png'))).code).toBe(0);
    const r = await cli('inpaint', ...base(), '--image', init, '--mask', join(dir, 'mask.png'), '--prompt', 'a blue square', '--out', join(dir, 'inp.png'));
    expect(r.code).toBe(0);
    const [a, b, m] = [await readRgba(init), await readRgba(join(dir, 'inp.png')), await readRgba(join(dir, 'mask.png'))];
    let changed = 0;
    for (let p = 0; p < 64 * 64; p++) {
      const same = [0, 1, 2, 3].every((c) => a.data[p * 4 + c] === b.data[p * 4 + c]);
      if (m.data[p * 4] === 0) expect(same).toBe(true);
      else if (!same) changed++;
    }
    expect(changed).toBeGreaterThan(100);
  });

  it('writes an inpaint as a PSD whose masked layer composites to the PNG result (checked by psd-tools)', async (ctx) => {
    const args = ['inpaint', ...base(), '--image', join(dir, 'gen.png'), '--mask', join(dir, 'mask.png'), '--prompt', 'a boat', '--seed', '5', '--no-history'];
    expect((await cli(...args, '--out', join(dir, 'inp5.png'))).code).toBe(0);
    expect((await cli(...args, '--out', join(dir, 'inp5.psd'))).code).toBe(0);
    if (reportMissing('psdTools', 'python3-psd-tools')) return ctx.skip();
    const report = python(
      `import sys, json, numpy as np
from psd_tools import PSDImage
from PIL import Image
p = PSDImage.open(sys.argv[1])
layers = [{"name": l.name, "bbox": list(l.bbox), "mask": l.has_mask()} for l in p]
c = np.asarray(p.composite().convert("RGB")).astype(int)
r = np.asarray(Image.open(sys.argv[2]).convert("RGB")).astype(int)
print(json.dumps({"layers": layers, "maxDiff": int(np.abs(c - r).max())}))`,
      [join(dir, 'inp5.psd'), join(dir, 'inp5.png')],
    );
    const parsed = JSON.parse(report) as { layers: Array<{ name: string; bbox: number[]; mask: boolean }>; maxDiff: number };
    expect(parsed.layers).toEqual([
      { name: 'Input', bbox: [0, 0, 64, 64], mask: false },
      { name: 'Inpaint: a boat · seed 5', bbox: [0, 0, 64, 64], mask: true },
    ]);
    expect(parsed.maxDiff).toBeLessThanOrEqual(1);
  });

  it('answers bad input with one clear line and a non-zero code', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['generate', ...base(), '--prompt', 'x', '--out', join(dir, 'x.gif')], /unsupported extension ".gif"/],
      [['generate', ...base(), '--prompt', 'x', '--width', '100', '--out', join(dir, 'x.png')], /--width: .*multiple of 8/],
      [['generate', ...base(), '--prompt', 'x', '--scheduler', 'plms', '--out', join(dir, 'x.png')], /unknown scheduler "plms"/],
      [['generate', ...base(), '--prompt', 'x', '--model', join(dir, 'nope'), '--out', join(dir, 'x.png')], /model folder not found/],
      [['inpaint', ...base(), '--prompt', 'x', '--image', join(dir, 'gen.png'), '--mask', join(dir, 'small-mask.png'), '--out', join(dir, 'x.png')], /mask is 32×32 but the image is 64×64/],
      [['img2img', ...base(), '--prompt', 'x', '--image', join(dir, 'missing.png'), '--out', join(dir, 'x.png')], /image not found/],
      [['img2img', ...base(), '--prompt', 'x', '--image', join(dir, 'corrupt.png'), '--out', join(dir, 'x.png')], /not a readable image/],
      [['generate', '--prompt', 'x', '--bogus'], /Unknown option '--bogus'/],
    ];
    writeFileSync(join(dir, 'corrupt.png'), Buffer.from('\x89PNG\r\n\x1a\nthis is not really a png'));
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.err, args.join(' ')).toHaveLength(1);
      expect(r.err[0]).toMatch(message);
    }
  });
});

describe('cli tokenize and models', () => {
  it('tokenize --json prints the 77 ids the reference CLIP tokenizer gives', async () => {
    const r = await cli('tokenize', '--model', SD15, '--json', 'a photo of a cat');
    const parsed = JSON.parse(r.out[0]!) as { input_ids: number[]; tokens: number; chunks: { input_ids: number[]; weights: number[] }[] };
    expect(parsed.input_ids.slice(0, 7)).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
    expect(parsed.input_ids).toHaveLength(77);
    expect(parsed.tokens).toBe(5);
    expect(parsed.chunks).toEqual([{ input_ids: parsed.input_ids, weights: Array(77).fill(1) }]);
  });

  it('tokenize --json splits long prompts into weighted 77-token chunks', async () => {
    const prompt = `(red:1.5) ${Array.from({ length: 80 }, () => 'sky').join(' ')} BREAK [sea]`;
    const r = await cli('tokenize', '--model', SD15, '--json', prompt);
    const parsed = JSON.parse(r.out[0]!) as { input_ids: number[]; tokens: number; chunks: { input_ids: number[]; weights: number[] }[] };
    expect(parsed.tokens).toBe(82);
    expect(parsed.chunks).toHaveLength(3);
    for (const c of parsed.chunks) expect([c.input_ids.length, c.weights.length]).toEqual([77, 77]);
    expect(parsed.chunks[0]!.weights.slice(0, 3)).toEqual([1, 1.5, 1]);
    expect(parsed.chunks[2]!.input_ids.slice(0, 3)).toEqual([49406, 2102, 49407]);
    expect(parsed.chunks[2]!.weights[1]).toBeCloseTo(1 / 1.1, 12);
  });

  it('models inspect describes what the engine sees', async () => {
    const r = await cli('models', 'inspect', join(ROOT, 'native-models', 'test-models', 'sd15-inpaint-tiny'));
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(/family: +sd1/);
    expect(text).toMatch(/9 input channels; inpainting by unet-9-channel/);
    expect(text).toMatch(/timestep: int64\[1\]/);
  });
});

describe('cli as a process', () => {
  it('prints one error line and no stack trace', () => {
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    const r = spawnSync(tsx, [join(ROOT, 'electron', 'host', 'cli.ts'), 'generate', '--prompt', 'x', '--model', join(dir, 'nope'), '--out', join(dir, 'y.png')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`error: model folder not found: ${join(dir, 'nope')}`]);
    expect(execFileSync(tsx, [join(ROOT, 'electron', 'host', 'cli.ts'), '--help'], { encoding: 'utf8' })).toMatch(/generate +text to image/);
  });
});
