import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerationSettings } from '../../contract/generation.js';
import { readPngMetadata } from '../export/pngMetadata.js';
import { createRgba, type GrayImage } from '../image/types.js';
import { openHistoryStore, type HistoryStore } from '../store/historyStore.js';
import { modelFingerprint } from '../store/modelFingerprint.js';
import { EngineHost } from './engineHost.js';
import { GenerationService } from './generationService.js';
import { inProcessSpawner, localGeneration } from './localEngine.js';
import { createEngine } from './testing/scriptedEngine.js';
import { TEST_MODELS } from './testing/testStudio.js';

const settings: GenerationSettings = {
  mode: 'txt2img', prompt: 'a kite', negativePrompt: '', width: 64, height: 64, steps: 2, guidance: 1, scheduler: 'euler', seed: 5, batch: 1,
  strength: 0.75, maskFeather: 4, colorMatch: true, blend: 'multiband', prefill: 'none',
} as GenerationSettings;
const model = { name: 'sd15-tiny', dir: join(TEST_MODELS, 'sd15-tiny') };

let dir: string;
let store: HistoryStore;
let engine: EngineHost;
let service: GenerationService;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-genservice-'));
  store = openHistoryStore(dir);
  // The scripted engine behind the real queue: "slow" and "fail" in the prompt script it.
  engine = new EngineHost(inProcessSpawner(createEngine));
  service = new GenerationService({ engine, history: store, origin: 'cli' });
});
afterEach(() => {
  engine.dispose();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GenerationService', () => {
  it('writes the running entry before the job runs, stores PNGs with metadata, completes with the model as it started', async () => {
    const started = await service.start({ settings, model });
    expect(store.get(started.entryId!)!.status).toBe('running');
    const out = await started.done;
    const hash = await modelFingerprint(model.dir);
    expect(out.entry).toMatchObject({ status: 'done', provider: 'cpu', origin: 'cli', model: { name: 'sd15-tiny', hash } });
    expect(out.model).toEqual({ ...model, hash });
    expect(out.entry!.timings!.totalMs).toBeGreaterThan(0);
    const meta = readPngMetadata(await store.images.read(out.images[0].imageId!));
    expect(meta.atelier).toMatchObject({ model: 'sd15-tiny', modelHash: hash, seed: 5, settings: { prompt: 'a kite' } });
    expect(Buffer.compare(await store.images.read(out.images[0].imageId!), out.images[0].png)).toBe(0);
  });

  it('keeps pixel inputs in the image store so a re-run is exact, and reads stored ones back', async () => {
    const mask: GrayImage = { width: 64, height: 64, data: new Uint8Array(64 * 64).fill(255) };
    const inpaint = { ...settings, mode: 'inpaint' as const, strength: 1 };
    const first = await service.run({ settings: inpaint, model, initImage: { pixels: createRgba(64, 64, [10, 20, 30, 255]) }, mask: { pixels: mask } });
    const { initImageId, maskImageId } = first.entry!;
    expect(initImageId && maskImageId).toBeTruthy();
    const again = await service.run({ settings: inpaint, model, initImage: { imageId: initImageId! }, mask: { imageId: maskImageId! }, parentId: first.entry!.id });
    expect(again.entry).toMatchObject({ parentId: first.entry!.id, initImageId, maskImageId });
    expect(Buffer.compare(again.images[0].image.data, first.images[0].image.data)).toBe(0);
  });

  it('refuses bad inputs with one sentence and records nothing', async () => {
    await expect(service.start({ settings: { ...settings, mode: 'img2img' }, model })).rejects.toThrow('img2img needs an init image.');
    await expect(service.start({ settings: { ...settings, mode: 'img2img' }, model, initImage: { pixels: createRgba(32, 32, [0, 0, 0, 255]) } }))
      .rejects.toThrow('The init image is 32×32 but the frame is 64×64.');
    expect(store.count({})).toBe(0);
  });

  it('marks the entry failed or cancelled and rejects', async () => {
    await expect(service.run({ settings: { ...settings, prompt: 'fail' }, model })).rejects.toThrow('no unet/model.onnx');
    const slow = await service.start({ settings: { ...settings, prompt: 'slow', steps: 50 }, model });
    expect(service.cancel(slow.jobId)).toBe(true);
    await expect(slow.done).rejects.toMatchObject({ code: 'cancelled' });
    const [cancelled, failed] = store.list().entries;
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'The model folder has no unet/model.onnx.' });
    expect(cancelled.status).toBe('cancelled');
  });

  it('keeps no history when given none (CLI --no-history), still returns the PNGs', async () => {
    const bare = new GenerationService({ engine, origin: 'cli' });
    const out = await bare.run({ settings, model });
    expect(out.entry).toBeUndefined();
    expect(out.images[0].imageId).toBeUndefined();
    expect(readPngMetadata(out.images[0].png).atelier).toMatchObject({ model: 'sd15-tiny', seed: 5 });
  });
});

describe('localGeneration (the CLI hosts)', () => {
  it('builds the engine from settings.json: the prompt filter refuses and the entry says why', async () => {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ engine: { provider: 'cpu', promptFilter: ['kite'] } }));
    const local = localGeneration(dir, { history: store });
    try {
      await expect(local.service.run({ settings, model })).rejects.toThrow(/blocked term \(kite\)/);
    } finally {
      await local.close();
    }
    expect(store.list().entries[0]).toMatchObject({ status: 'failed', origin: 'cli' });
  });
});
