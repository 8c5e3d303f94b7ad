import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema } from '../../contract/generation.js';
import { buildTextChunk, insertChunksBeforeIend } from '../export/pngChunks.js';
import { encodePng } from '../export/pngMetadata.js';
import { createRgba } from '../image/types.js';
import { openHistoryStore, type HistoryStore } from './historyStore.js';

let dir: string;
let store: HistoryStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-import-'));
  store = openHistoryStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const settings = GenerationSettingsSchema.parse({
  mode: 'txt2img', prompt: 'a lighthouse at dusk', negativePrompt: 'blurry', width: 64, height: 64,
  steps: 12, guidance: 6, scheduler: 'dpmpp-2m-karras', seed: 100, batch: 4,
});

describe('importPng', () => {
  it('imports our atelier metadata exactly, with the image seed, and dedupes a second import', async () => {
    const png = await encodePng(createRgba(64, 64, [10, 20, 30, 255]), {
      settings, model: 'tiny-sd15', modelHash: 'deadbeef', provider: 'cpu', seed: 102, createdAt: '2025-01-02T03:04:05.000Z', app: 'atelier',
    });
    const { entry, created } = await store.importPng(png);
    expect(created).toBe(true);
    expect(entry.status).toBe('done');
    expect(entry.origin).toBe('import');
    expect(entry.settings).toEqual({ ...settings, seed: 102, batch: 1 });
    expect(entry.model).toEqual({ name: 'tiny-sd15', hash: 'deadbeef' });
    expect(entry.provider).toBe('cpu');
    expect(entry.createdAt).toBe(Date.parse('2025-01-02T03:04:05.000Z'));
    expect(entry.images).toHaveLength(1);
    expect(Buffer.compare(await store.images.read(entry.images[0].imageId), png)).toBe(0);
    expect(store.list({ query: 'lighthouse' }).entries.map((e) => e.id)).toEqual([entry.id]);

    const again = await store.importPng(png);
    expect(again.created).toBe(false);
    expect(again.entry.id).toBe(entry.id);
    expect(store.count()).toBe(1);
  });

  it('imports A1111 parameters and says which settings were defaulted', async () => {
    const plain = await sharp({ create: { width: 80, height: 64, channels: 3, background: '#808080' } }).png().toBuffer();
    const text = 'portrait of an old sailor, (detailed:1.2)\nNegative prompt: lowres\nSteps: 30, Sampler: Euler a, CFG scale: 5.5, Seed: 4242, Model: dreamshaper';
    const png = insertChunksBeforeIend(plain, [buildTextChunk('parameters', text)]);
    const { entry, defaulted } = await store.importPng(png);
    expect(entry.settings).toMatchObject({
      mode: 'txt2img', prompt: 'portrait of an old sailor, (detailed:1.2)', negativePrompt: 'lowres',
      steps: 30, scheduler: 'euler-a', guidance: 5.5, seed: 4242, width: 80, height: 64, batch: 1,
    });
    expect(entry.model).toEqual({ name: 'dreamshaper' });
    expect(defaulted).toEqual(['size']);
  });

  it('refuses files it cannot import with one clear line and stores nothing', async () => {
    const plain = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer();
    await expect(store.importPng(plain)).rejects.toThrow(/no generation metadata/);
    await expect(store.importPng(Buffer.from('hello, not an image'))).rejects.toThrow(/not a PNG file/);
    const good = await encodePng(createRgba(64, 64, [1, 2, 3, 255]), { settings, model: 'm', seed: 1, app: 'atelier' });
    await expect(store.importPng(good.subarray(0, 60))).rejects.toThrow(/cannot be decoded/);
    const huge = insertChunksBeforeIend(plain, [buildTextChunk('parameters', 'x\nSteps: 20, Sampler: Euler, Size: 9000x9000, Seed: 1')]);
    await expect(store.importPng(huge)).rejects.toThrow(/invalid generation settings: width/);
    expect(store.count()).toBe(0);
    expect(store.images.has((await import('./imageStore.js')).imageIdOf(huge))).toBe(false);
  });
});
