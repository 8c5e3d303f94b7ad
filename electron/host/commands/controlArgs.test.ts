import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng, readPngMetadata } from '../../core/export/pngMetadata.js';
import { projectRoot } from '../../core/models/defaultModel.js';
import { cli } from '../testing/cliCapture.testutil.js';

const MODELS = join(projectRoot(), 'native-models', 'test-models');
const SD15 = join(MODELS, 'sd15-tiny');
const CN = join(MODELS, 'controlnet-sd15-tiny');
const CN_B = join(MODELS, 'controlnet-sd15-tiny-b');
const tmp = mkdtempSync(join(tmpdir(), 'atelier-cli-control-'));
const sketch = join(tmp, 'sketch.png');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  // Dark ink on white paper, as a user scans a sketch: --control-type scribble turns it into white lines on black.
  const data = new Uint8Array(64 * 64 * 4).fill(255);
  for (let p = 0; p < 64 * 64; p++) if (Math.abs((p % 64) - (p >> 6)) < 2 || (p % 64) === 40) data.set([20, 20, 20, 255], p * 4);
  writeFileSync(sketch, await encodePng({ width: 64, height: 64, data }));
});

const base = ['--model', SD15, '--steps', '3', '--seed', '9', '--guidance', '3', '--scheduler', 'euler', '--quiet'];

describe('CLI --controlnet (issue 20)', () => {
  it('guides with two ControlNets, records them in the PNG and history, and history rerun reproduces the image', async () => {
    const data = join(tmp, 'data');
    const out = join(tmp, 'guided.png');
    const r = await cli('generate', ...base, '--prompt', 'a kite', '--data', data, '--out', out,
      '--controlnet', CN, '--control-image', sketch, '--control-type', 'scribble',
      '--controlnet', CN_B, '--control-image', sketch, '--control-type', 'none', '--control-scale', '0.8', '--control-scale', '0.3',
      '--control-start', '0', '--control-end', '0.7');
    expect(r.err.filter((l) => !l.startsWith('note:') && !/much smaller than this model/.test(l))).toEqual([]);
    expect(r.code).toBe(0);
    const controls = readPngMetadata(readFileSync(out)).atelier!.settings.controls!;
    expect(controls.map(({ imageId: _id, ...c }) => c)).toEqual([
      { model: 'controlnet-sd15-tiny', type: 'scribble', scale: 0.8, start: 0, end: 0.7 },
      { model: 'controlnet-sd15-tiny-b', type: 'none', scale: 0.3, start: 0, end: 0.7 },
    ]);
    // the scribble map and the sketch itself are different maps
    expect(controls[0]!.imageId).not.toBe(controls[1]!.imageId);
    // the 64 px size came from the control image
    const plain = join(tmp, 'plain.png');
    expect((await cli('generate', ...base, '--prompt', 'a kite', '--width', '64', '--height', '64', '--no-history', '--out', plain)).code).toBe(0);
    expect(readFileSync(plain).equals(readFileSync(out))).toBe(false);

    const list = await cli('history', 'list', '--data', data, '--json');
    const id = (JSON.parse(list.out.join('\n')) as { entries: Array<{ id: string }> }).entries[0]!.id;
    const again = await cli('history', 'rerun', id, '--data', data, '--model', SD15);
    expect(again.out.join('\n')).toContain('identical to the original');
  }, 120_000);

  it('answers bad ControlNet flags in one line', async () => {
    const run = async (...extra: string[]) => {
      const r = await cli('generate', ...base, '--prompt', 'x', '--no-history', '--out', join(tmp, 'x.png'), ...extra);
      expect(r.code).not.toBe(0);
      expect(r.err).toHaveLength(1);
      return r.err[0]!;
    };
    expect(await run('--controlnet', CN)).toMatch(/one --control-image per --controlnet \(got 1 --controlnet and 0 --control-image\)/);
    expect(await run('--controlnet', CN, '--control-image', sketch, '--control-type', 'depth')).toMatch(/--control-type must be one of none, canny, scribble/);
    expect(await run('--controlnet', SD15, '--control-image', sketch)).toMatch(/--controlnet .*sd15-tiny: not a ControlNet folder/);
    expect(await run('--controlnet', CN, '--control-image', sketch, '--control-start', '0.8', '--control-end', '0.2')).toMatch(/control start must be before its end/);
    expect(await run('--controlnet', CN, '--control-image', sketch, '--width', '128', '--height', '128')).toMatch(/control image is 64×64 but the frame is 128×128/);
    expect(await run('--control-scale', '2')).toMatch(/need a --controlnet/);
  }, 60_000);
});
