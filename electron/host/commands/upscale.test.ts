import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngMetadata } from '../../core/export/pngMetadata.js';
import { readRgba } from '../../core/image/io.js';
import { projectRoot } from '../../core/models/defaultModel.js';
import { cli } from '../testing/cliCapture.testutil.js';
import { readFileSync } from 'node:fs';

const MODELS = join(projectRoot(), 'native-models', 'test-models');
const LINEAR = join(MODELS, 'upscale-linear-x4');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-upscale-'));
  await sharp({ create: { width: 75, height: 41, channels: 3, background: '#3a6' } })
    .composite([{ input: { create: { width: 20, height: 20, channels: 3, background: '#f20' } }, left: 30, top: 10 }])
    .png()
    .toFile(join(dir, 'in.png'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli upscale', () => {
  it('streams a PNG at the model factor, exactly 4× the odd-sized input', async () => {
    const out = join(dir, 'x4.png');
    const r = await cli('upscale', '--image', join(dir, 'in.png'), '--model', LINEAR, '--tile', '32', '--overlap', '8', '--out', out, '--data', join(dir, 'data'));
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/300×164 \(×4, 8 tiles of 32 px, CPU/);
    const img = await readRgba(out);
    expect([img.width, img.height]).toEqual([300, 164]);
    // The red square's middle stays red, the background green.
    const at = (x: number, y: number) => Array.from(img.data.subarray((y * 300 + x) * 4, (y * 300 + x) * 4 + 3));
    expect(at(160, 80)).toEqual([0xff, 0x22, 0x00]);
    expect(at(10, 10)).toEqual([0x33, 0xaa, 0x66]);
  });

  it('a smaller factor resizes the model result; refine repaints tiles with an SD model and records its settings', async () => {
    const out = join(dir, 'x2-refined.png');
    const r = await cli('upscale', '--image', join(dir, 'in.png'), '--model', LINEAR, '--scale', '2', '--refine', '0.3',
      '--sd-model', join(MODELS, 'sd15-tiny'), '--prompt', 'a red square', '--seed', '5', '--steps', '4', '--refine-tile', '64', '--refine-overlap', '16',
      '--out', out, '--data', join(dir, 'data'));
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/150×82 .*refine 6 tiles at strength 0\.3/);
    const img = await readRgba(out);
    expect([img.width, img.height]).toEqual([150, 82]);
    const meta = readPngMetadata(readFileSync(out));
    expect(meta.atelier?.settings).toMatchObject({ mode: 'img2img', strength: 0.3, prompt: 'a red square', seed: 5 });
  });

  it('--region: the refine repaints that part of the input from its own prompt, scaled with the image, and records it', async () => {
    const refined = async (name: string, ...region: string[]) => {
      const out = join(dir, name);
      const r = await cli('upscale', '--image', join(dir, 'in.png'), '--model', LINEAR, '--scale', '2', '--refine', '0.5',
        '--sd-model', join(MODELS, 'sd15-tiny'), '--prompt', 'a green field', '--seed', '5', '--steps', '3', '--guidance', '5',
        '--refine-tile', '64', '--refine-overlap', '16', ...region, '--out', out, '--data', join(dir, 'data'));
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      return { img: await readRgba(out), meta: readPngMetadata(readFileSync(out)) };
    };
    const plain = await refined('plain.png');
    // The input's top-left 10×10 px: 20×20 of the 150×82 output, in the first refine tile only.
    const { img, meta } = await refined('region.png', '--region', '0,0,10,10:a red rose');
    expect(meta.atelier?.settings).toMatchObject({ regions: [{ x: 0, y: 0, width: 10, height: 10, prompt: 'a red rose' }] });
    const differs = (x0: number, y0: number, x1: number, y1: number) => {
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (img.data[(y * 150 + x) * 4] !== plain.img.data[(y * 150 + x) * 4]) n++;
      return n;
    };
    expect(differs(0, 0, 20, 20)).toBeGreaterThan(100);
    // The right edge belongs to the last tile column, which the region does not reach.
    expect(differs(110, 0, 150, 82)).toBe(0);
  });

  it('bad requests get one sentence', async () => {
    const run = async (...args: string[]) => (await cli('upscale', '--image', join(dir, 'in.png'), ...args, '--data', join(dir, 'data'))).err.join('\n');
    expect(await run('--model', LINEAR, '--out', join(dir, 'a.png'), '--scale', '8')).toBe('error: this upscaler enlarges ×4; the factor must be more than 0 and at most 4 (got 8)');
    expect(await run('--model', LINEAR, '--out', join(dir, 'a.png'), '--refine', '0.3')).toBe('error: --refine needs --sd-model DIR (the SD model that repaints the tiles)');
    expect(await run('--model', LINEAR, '--out', join(dir, 'a.png'), '--region', '0,0,8,8:a rose')).toBe('error: --region applies to the repaint: add --refine STRENGTH (with --sd-model and --prompt)');
    expect(await run('--model', LINEAR, '--out', join(dir, 'a.png'), '--refine', '0.3', '--sd-model', join(MODELS, 'sd15-tiny'), '--prompt', 'x', '--region', 'top:a rose'))
      .toMatch(/^error: --region must be "X,Y,W,H:PROMPT"/);
    expect(await run('--model', LINEAR, '--out', join(dir, 'a.psd'))).toMatch(/^error: --out .*a\.psd: unsupported extension "\.psd" \(use \.png, \.jpg or \.webp\)$/);
    expect(await run('--model', join(MODELS, 'sd15-tiny', 'unet'), '--out', join(dir, 'a.png'))).toMatch(/^error: .* is not an image upscaler/);
    expect(await run('--model', LINEAR, '--out', join(dir, 'a.png'), '--tile', '64', '--overlap', '40')).toBe('error: the tile overlap (40) must be less than half the tile size (64)');
  });
});
