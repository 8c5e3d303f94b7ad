import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPngMetadata } from '../../core/export/pngMetadata.js';
import { projectRoot } from '../../core/models/defaultModel.js';
import { UserStyles } from '../../core/store/userStyles.js';
import { runCli } from '../cli.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-cli-style-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--style', () => {
  it('cli --style wraps the prompt, records the style and keeps explicit flags', async () => {
    const data = join(dir, 'cli');
    await new UserStyles(data).save({ name: 'Quick', prompt: 'sketch of {prompt}', negativePrompt: 'colour', steps: 2, guidance: 3 });
    const out = join(dir, 'styled.png');
    const model = join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny');
    const args = ['generate', '--model', model, '--width', '64', '--height', '64', '--seed', '1', '--data', data, '--prompt', 'a cat', '--negative', 'dogs', '--style', 'quick', '--guidance', '6', '--out', out];
    const io = { out: () => undefined, err: () => undefined };
    expect(await runCli(args, io)).toBe(0);
    expect(readPngMetadata(readFileSync(out)).atelier?.settings).toMatchObject({
      prompt: 'sketch of a cat', negativePrompt: 'dogs, colour', steps: 2, guidance: 6, style: 'Quick',
    });
    const errors: string[] = [];
    expect(await runCli([...args.slice(0, -4), '--style', 'nope', '--out', out], { out: () => undefined, err: (l) => errors.push(l) })).not.toBe(0);
    expect(errors[0]).toMatch(/^error: unknown style "nope" \(choose Quick, Photographic, /);
  });
});
