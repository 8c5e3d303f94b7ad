import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError, type GenerateResult } from '../engine/types.js';
import { readPngMetadata } from '../export/pngMetadata.js';
import { createRgba } from '../image/types.js';
import { openHistoryStore, type HistoryStore } from './historyStore.js';
import { recordGeneration } from './recordGeneration.js';

const settings = { mode: 'txt2img' as const, prompt: 'a kite', width: 64, height: 64, steps: 2, guidance: 1, scheduler: 'euler' as const, seed: 5, batch: 2 };
const timings = { loadMs: 5, encodeMs: 1, denoiseMs: 20, decodeMs: 3, totalMs: 29 };

let dir: string;
let store: HistoryStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-record-'));
  store = openHistoryStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('recordGeneration', () => {
  it('stores each image as a PNG with metadata and completes the entry', async () => {
    const result: GenerateResult = {
      images: [{ image: createRgba(64, 64, [255, 0, 0, 255]), seed: 5 }, { image: createRgba(64, 64, [0, 0, 255, 255]), seed: 6 }],
      provider: 'CPU', model: { name: 'tiny', path: '/m/tiny', family: 'sd1' }, timings,
    };
    let statusDuringRun = '';
    const rec = await recordGeneration(store, { settings, model: { name: 'tiny', hash: 'h1' }, origin: 'cli' }, async () => {
      statusDuringRun = store.list({ limit: 1 }).entries[0].status;
      return result;
    });
    expect(statusDuringRun).toBe('running');
    expect(rec.entry).toMatchObject({ status: 'done', provider: 'CPU', timings, origin: 'cli' });
    expect(rec.entry.images.map((i) => i.seed)).toEqual([5, 6]);
    const meta = readPngMetadata(await store.images.read(rec.entry.images[1].imageId));
    expect(meta.atelier).toMatchObject({ model: 'tiny', modelHash: 'h1', seed: 6, settings: { prompt: 'a kite', batch: 2 } });
    expect(meta.parameters).toMatch(/^a kite\n.*Seed: 6/);
  });

  it('marks the entry failed or cancelled and rethrows', async () => {
    await expect(recordGeneration(store, { settings, model: { name: 'm' } }, async () => { throw new EngineError('out of memory on the GPU', 'out-of-memory'); }))
      .rejects.toThrow('out of memory');
    await expect(recordGeneration(store, { settings, model: { name: 'm' } }, async () => { throw new EngineError('cancelled', 'cancelled'); }))
      .rejects.toThrow('cancelled');
    const [cancelled, failed] = store.list().entries;
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'out of memory on the GPU' });
    expect(cancelled.status).toBe('cancelled');
  });
});
