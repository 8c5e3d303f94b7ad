import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../core/export/pngMetadata.js';
import { readMask, readRgba } from '../../core/image/io.js';
import { createRgba } from '../../core/image/types.js';
import { projectRoot } from '../../core/models/defaultModel.js';
import { openHistoryStore } from '../../core/store/historyStore.js';
import { modelFingerprint } from '../../core/store/modelFingerprint.js';
import { localGeneration } from '../../core/jobs/localEngine.js';
import { CliError } from './command.js';
import { historyCommand } from './history.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-history-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await historyCommand.run([...args, '--data', dir], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const settings = { mode: 'txt2img' as const, prompt: 'a wooden boat on a lake', negativePrompt: '', width: 64, height: 64, steps: 2, guidance: 7, scheduler: 'euler' as const, seed: 42, batch: 1, strength: 0.75, maskFeather: 4 };

describe('history CLI', () => {
  it('imports, lists, searches, shows, favourites and deletes', async () => {
    const png = await encodePng(createRgba(64, 64, [9, 9, 9, 255]), { settings, model: 'sd15-tiny', seed: 42, app: 'atelier' });
    const file = join(dir, 'boat.png');
    writeFileSync(file, png);
    const imported = await cli('import', file);
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/^imported: .*boat\.png -> [0-9a-f]{8} .* done .* sd15-tiny {2}seed 42 {2}a wooden boat on a lake$/);
    expect((await cli('import', file)).out).toMatch(/^already in history/);

    const listed = await cli('list');
    expect(listed.out.split('\n')).toHaveLength(2);
    expect(listed.out).toMatch(/1 of 1$/);
    const id = listed.out.slice(0, 8);
    expect((await cli('search', 'WOOD')).out).toContain(id);
    expect((await cli('search', 'cabin')).out).toBe('no entries match "cabin"');

    const shown = await cli('show', id);
    expect(shown.out).toMatch(/^id: +[0-9a-f-]{36}$/m);
    expect(shown.out).toMatch(/^settings: +txt2img 64×64, 2 steps, euler, guidance 7, seed 42, batch 1$/m);
    expect(shown.out).toMatch(/^image: +.*\/images\/[0-9a-f]{2}\/[0-9a-f]{64}\.png {2}seed 42$/m);
    const json = JSON.parse((await cli('show', id, '--json')).out) as { settings: { prompt: string } };
    expect(json.settings.prompt).toBe(settings.prompt);

    expect((await cli('favourite', id)).out).toContain('★');
    expect((await cli('list', '--favourites')).out).toContain(id);
    expect((await cli('delete', id)).out).toMatch(/^deleted /);
    expect((await cli('list')).out).toBe('no entries');
  });

  it('gives one clear error line for bad input', async () => {
    const bad = async (...args: string[]) => {
      const e = await cli(...args).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CliError);
      return (e as CliError).message;
    };
    expect(await bad('frobnicate')).toMatch(/unknown history subcommand "frobnicate"/);
    expect(await bad('show')).toMatch(/an entry ID is required/);
    expect(await bad('show', 'zz')).toMatch(/at least 4 characters/);
    expect(await bad('list', '--limit', 'ten')).toMatch(/--limit must be a whole number/);
    expect(await bad('list', '--status', 'happy')).toMatch(/--status must be one of/);
    expect(await bad('list', '--cursor', '%%%')).toBe('invalid page cursor');
    expect(await bad('import', join(dir, 'missing.png'))).toMatch(/missing\.png: no such file/);
    const notPng = join(dir, 'note.png');
    writeFileSync(notPng, 'hello');
    expect(await bad('import', notPng)).toMatch(/note\.png: not a PNG file/);
    const plain = join(dir, 'plain.png');
    writeFileSync(plain, await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toBuffer());
    expect(await bad('import', plain)).toMatch(/no generation metadata/);
    const many = await cli('import', notPng, plain);
    expect(many.code).toBe(2);
    expect(many.err.split('\n')).toHaveLength(2);
  });

  it('re-runs an entry exactly with the engine and records it as a branch', async () => {
    const modelDir = join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny');
    const local = localGeneration(dir, { provider: 'cpu' });
    let originalId: string;
    try {
      originalId = (await local.service.run({ settings, model: { name: 'sd15-tiny', dir: modelDir } })).entry!.id;
    } finally {
      await local.close();
    }
    const out = join(dir, 'rerun.png');
    const run = await cli('rerun', originalId.slice(0, 8), '--out', out, '--provider', 'cpu');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/seed 42 {2}identical to the original/);
    expect(run.out).toContain(`wrote ${out}`);
    const again = openHistoryStore(dir);
    try {
      const [latest] = again.list({ limit: 1 }).entries;
      expect(latest).toMatchObject({ parentId: originalId, status: 'done', origin: 'cli', settings });
      expect(latest.timings?.totalMs).toBeGreaterThan(0);
      expect(latest.model).toEqual({ name: 'sd15-tiny', hash: await modelFingerprint(modelDir) });
    } finally {
      again.close();
    }
  });

  it('re-runs an inpaint entry exactly from its kept init image and mask', async () => {
    const modelDir = join(projectRoot(), 'native-models', 'test-models', 'sd15-inpaint-tiny');
    const local = localGeneration(dir, { provider: 'cpu' });
    const inpaint = { ...settings, mode: 'inpaint' as const, prompt: 'a red door', strength: 1, seed: 7 };
    let originalId: string;
    try {
      const initPng = await sharp({ create: { width: 64, height: 64, channels: 4, background: '#4080c0ff' } }).png().toBuffer();
      const maskPng = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000' } })
        .composite([{ input: { create: { width: 32, height: 32, channels: 3, background: '#fff' } }, left: 16, top: 16 }])
        .png().toBuffer();
      const rec = await local.service.run({
        settings: inpaint, model: { name: 'sd15-inpaint-tiny', dir: modelDir },
        initImage: { pixels: await readRgba(initPng) }, mask: { pixels: await readMask(maskPng) },
      });
      originalId = rec.entry!.id;
    } finally {
      await local.close();
    }
    const run = await cli('rerun', originalId, '--provider', 'cpu');
    expect(run.out).toMatch(/seed 7 {2}identical to the original/);
  });
});
