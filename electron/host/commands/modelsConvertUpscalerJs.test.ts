import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeUpscalerJsPackage } from '../../core/models/testing/upscalerJsPackage.js';
import { cli } from '../testing/cliCapture.testutil.js';

const tmp = mkdtempSync(join(tmpdir(), 'atelier-cli-upscalerjs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('cli models convert-upscalerjs', () => {
  it('writes an upscaler folder the upscale command reads; bad input is one line', async () => {
    const pkg = join(tmp, 'package');
    writeUpscalerJsPackage(pkg, 'rrdn');
    const out = join(tmp, 'esrgan-test-x2');
    const r = await cli('models', 'convert-upscalerjs', pkg, '--scale', '2', '--out', out);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^@upscalerjs\/esrgan-test@1\.0\.0 ×2 \(RRDN, .* parameters, float32, values in \[0, 1\]\) → .*model\.onnx/);
    expect(JSON.parse(readFileSync(join(out, 'upscaler.json'), 'utf8'))).toMatchObject({ type: 'atelier-upscaler', scale: 2, range: [0, 1] });

    // The folder is then an upscaler like any other: ×2 of a 20×12 PNG is 40×24.
    const png = join(tmp, 'in.png');
    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 20, height: 12, channels: 3, background: { r: 200, g: 100, b: 50 } } }).png().toFile(png);
    const up = await cli('upscale', '--image', png, '--model', out, '--out', join(tmp, 'out.png'));
    expect(up.code).toBe(0);
    expect(await sharp(join(tmp, 'out.png')).metadata()).toMatchObject({ width: 40, height: 24 });

    const bad = async (...args: string[]) => {
      const b = await cli('models', 'convert-upscalerjs', ...args);
      expect(b.code).not.toBe(0);
      expect(b.err).toHaveLength(1);
      return b.err[0]!;
    };
    expect(await bad('--out', join(tmp, 'x'))).toMatch(/needs the unpacked package folder/);
    expect(await bad(pkg, '--scale', '5', '--out', join(tmp, 'x'))).toMatch(/--scale must be 2, 3, 4 or 8/);
    expect(await bad(pkg, '--scale', '4', '--out', join(tmp, 'x'))).toMatch(/not an unpacked UpscalerJS package with a ×4 model/);
    expect(await bad(pkg, '--scale', '2', '--out', out)).toMatch(/is not empty/);
    mkdirSync(join(tmp, 'empty'));
    writeFileSync(join(pkg, 'models', 'x2', 'model.json'), '{"format": "graph-model"}');
    expect(await bad(pkg, '--scale', '2', '--out', join(tmp, 'empty'))).toMatch(/is not a TF\.js layers model/);
    expect(existsSync(join(tmp, 'empty', 'model.onnx'))).toBe(false);
  });
});
