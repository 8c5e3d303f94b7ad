import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPngMetadata } from '../../core/export/pngMetadata.js';
import { projectRoot } from '../../core/models/defaultModel.js';
import { cli } from '../testing/cliCapture.testutil.js';
import { parseRegionArg } from './regionArgs.js';

const SD15 = join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny');
const dir = mkdtempSync(join(tmpdir(), 'atelier-cli-regions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--region', () => {
  it('reads "X,Y,W,H:PROMPT", keeping colons in the prompt', () => {
    expect(parseRegionArg('0, 0,32,64:a (red:1.2) circle')).toEqual({ x: 0, y: 0, width: 32, height: 64, prompt: 'a (red:1.2) circle' });
    expect(() => parseRegionArg('0,0,32:x')).toThrow(/must be "X,Y,W,H:PROMPT"/);
    expect(() => parseRegionArg('0,0,32,64:  ')).toThrow(/has no prompt/);
    expect(() => parseRegionArg('0,0,0,64:x')).toThrow(/is empty/);
  });

  it('generates with regions, records them in history and the PNG, and re-runs exactly', async () => {
    const data = join(dir, 'data');
    const out = join(dir, 'regions.png');
    const base = ['--model', SD15, '--width', '64', '--height', '64', '--steps', '3', '--seed', '11', '--data', data];
    const r = await cli('generate', ...base, '--prompt', 'blue sky', '--region', '0,0,32,64:a red circle', '--region', '32,0,32,64:a blue square', '--out', out);
    expect(r.err.filter((l) => !l.startsWith('warning:'))).toEqual([]);
    expect(r.code).toBe(0);
    const regions = [
      { x: 0, y: 0, width: 32, height: 64, prompt: 'a red circle' },
      { x: 32, y: 0, width: 32, height: 64, prompt: 'a blue square' },
    ];
    expect(readPngMetadata(readFileSync(out)).atelier?.settings.regions).toEqual(regions);
    const listed = await cli('history', 'list', '--data', data);
    const id = listed.out[0]!.slice(0, 8);
    const shown = JSON.parse((await cli('history', 'show', id, '--json', '--data', data)).out.join('\n')) as { settings: { regions: unknown } };
    expect(shown.settings.regions).toEqual(regions);
    const rerun = await cli('history', 'rerun', id, '--provider', 'cpu', '--data', data);
    expect(rerun.out.join('\n')).toMatch(/identical to the original/);

    const bad = await cli('generate', ...base, '--prompt', 'x', '--region', '64,0,8,8:y', '--out', join(dir, 'bad.png'));
    expect(bad.code).not.toBe(0);
    expect(bad.err).toEqual(['error: region 1 (64,0 8×8) lies outside the 64×64 image']);
  });
});
