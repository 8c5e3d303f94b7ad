import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seamScore } from '../../testing/inpaint/seamMetrics.js';
import { readRgba } from '../../core/image/io.js';
import { projectRoot } from '../../core/models/defaultModel.js';
import { cli } from '../testing/cliCapture.testutil.js';

const DEMO = join(projectRoot(), 'native-models', 'demo', 'atelier-shapes-128');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-outpaint-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli outpaint', () => {
  it('grows the image by the margins asked, keeps its own pixels, and leaves no line at the old edge', async () => {
    const common = ['--model', DEMO, '--steps', '4', '--no-history', '--quiet'];
    const src = join(dir, 'src.png');
    expect((await cli('generate', ...common, '--prompt', 'a red circle on green grass', '--seed', '5', '--out', src)).code).toBe(0);
    const out = join(dir, 'grown.png');
    const r = await cli('outpaint', ...common, '--image', src, '--extend', 'right:48,top:16', '--prompt', 'green grass', '--seed', '9', '--out', out);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const a = await readRgba(src);
    const b = await readRgba(out);
    expect([b.width, b.height]).toEqual([a.width + 48, a.height + 16]);
    for (let y = 0; y < a.height; y++) {
      expect(b.data.subarray(((y + 16) * b.width) * 4, ((y + 16) * b.width + a.width) * 4)).toEqual(a.data.subarray(y * a.width * 4, (y + 1) * a.width * 4));
    }
    // The seam: the 2-px line at the old edge against what is beside it (the grey line measured ΔE ≈ 8 here).
    const mask = { width: b.width, height: b.height, data: new Uint8Array(b.width * b.height).fill(255) };
    for (let y = 16; y < b.height; y++) mask.data.fill(0, y * b.width, y * b.width + a.width);
    expect(seamScore(b, mask).lineDeltaE).toBeLessThan(4);
  });

  it('answers bad --extend and missing options with one line', async () => {
    const bad = await cli('outpaint', '--model', DEMO, '--image', join(dir, 'src.png'), '--extend', 'right:12', '--prompt', 'x', '--out', join(dir, 'x.png'), '--no-history');
    expect([bad.code, bad.err]).toEqual([2, ['error: --extend: right 12 px is not a multiple of 8']]);
    const none = await cli('outpaint', '--model', DEMO, '--image', join(dir, 'src.png'), '--prompt', 'x', '--out', join(dir, 'x.png'));
    expect(none.err[0]).toMatch(/^error: outpaint takes --extend/);
  });
});
