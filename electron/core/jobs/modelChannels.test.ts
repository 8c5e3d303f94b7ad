import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEventName, ApiEvents } from '../../contract/api.js';
import { catalogEntryForFolder, startTestModelServer, type TestModelServer } from '../models/testing/testModelServer.js';
import { InstalledModels } from './installedModels.js';
import { ModelChannels } from './modelChannels.js';
import { invokeChannel } from './apiHandlers.js';
import { TEST_MODELS, testStudio } from './testing/testStudio.js';

const TINY = join(TEST_MODELS, 'sd15-tiny');
type Ev = { event: ApiEventName; payload: ApiEvents[ApiEventName] };

describe('ModelChannels: the Models dialog against a local model server', () => {
  let server: TestModelServer;
  let dataDir: string;
  let channels: ModelChannels;
  let models: InstalledModels;
  const events: Ev[] = [];
  const until = async (pred: (e: Ev) => boolean, timeoutMs = 30_000): Promise<Ev> => {
    const t = Date.now();
    for (;;) {
      const hit = events.find(pred);
      if (hit) return hit;
      if (Date.now() - t > timeoutMs) throw new Error('no such event');
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const endOf = (jobId: string) => until((e) => (e.event === 'models:done' || e.event === 'models:failed') && (e.payload as { jobId: string }).jobId === jobId);

  beforeAll(async () => {
    server = await startTestModelServer(TINY, 'atelier-test/tiny');
    dataDir = mkdtempSync(join(tmpdir(), 'atelier-model-channels-'));
    const catalogFile = join(dataDir, 'catalog.json');
    const entry = (id: string) => catalogEntryForFolder(TINY, id, 'atelier-test/tiny');
    writeFileSync(catalogFile, JSON.stringify({ type: 'atelier-model-catalog', version: 1, models: [entry('tiny-one'), entry('tiny-two')] }));
    models = new InstalledModels([TEST_MODELS]);
    channels = new ModelChannels({
      dataDir, models, emit: (event, payload) => void events.push({ event, payload }),
      env: { ATELIER_MODELS_CATALOG: catalogFile, ATELIER_MODELS_BASE_URL: server.baseUrl },
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists what the picker lists, the catalogue with nothing pulled, and the provider order', () => {
    const lib = channels.library();
    expect(lib.installed.map((m) => m.id)).toContain('sd15-tiny');
    expect(lib.installed.find((m) => m.id === 'sd15-tiny')).toMatchObject({ origin: 'bundled' });
    expect(lib.catalogue.map((c) => [c.id, c.installedId, c.partialBytes])).toEqual([['tiny-one', undefined, 0], ['tiny-two', undefined, 0]]);
    expect(lib.catalogue[0].approxBytes).toBe(catalogEntryForFolder(TINY, 'x').files.reduce((n, f) => n + f.size!, 0));
    expect(lib.provider.lastUsed).toBeNull();
    expect(lib.provider.tries.at(-1)).toBe('cpu');
    channels.noteProvider('cpu');
    expect(channels.library().provider.lastUsed).toBe('cpu');
    expect(lib.catalogueProblem).toBeUndefined();
  });

  it('pulls with progress; the model is then installed and pickable by the id the done event names', async () => {
    const { jobId } = channels.pull({ catalogId: 'tiny-one' });
    expect(channels.library().catalogue.find((c) => c.id === 'tiny-one')?.downloadingJobId).toBe(jobId);
    const end = await endOf(jobId);
    expect(end.event).toBe('models:done');
    const done = end.payload as ApiEvents['models:done'];
    expect(done).toMatchObject({ catalogId: 'tiny-one', modelId: 'tiny-one' });
    const progress = events.filter((e) => e.event === 'models:progress' && (e.payload as { jobId: string }).jobId === jobId).map((e) => e.payload as ApiEvents['models:progress']);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.totalBytes).toBeGreaterThan(1_000_000);
    expect(progress.every((p) => p.catalogId === 'tiny-one' && p.doneBytes <= p.totalBytes)).toBe(true);
    expect(models.dirOf('tiny-one')).toBe(join(dataDir, 'models', 'tiny-one'));
    const lib = channels.library();
    expect(lib.installed.find((m) => m.id === 'tiny-one')).toMatchObject({ origin: 'pulled', catalogId: 'tiny-one' });
    expect(lib.catalogue.find((c) => c.id === 'tiny-one')).toMatchObject({ installedId: 'tiny-one' });
    expect(lib.catalogue.find((c) => c.id === 'tiny-one')?.downloadingJobId).toBeUndefined();
  });

  it('pause keeps the bytes for a resume; discard deletes them; a new pull then completes', async () => {
    // The UNet download drops part-way; the retry back-off (1 s) is the window in which we pause.
    server.misbehave('unet/model.onnx', { kind: 'drop-after', bytes: 600_000 });
    const first = channels.pull({ catalogId: 'tiny-two' });
    await until((e) => e.event === 'models:progress' && (e.payload as ApiEvents['models:progress']).jobId === first.jobId && (e.payload as ApiEvents['models:progress']).file === 'unet/model.onnx' && (e.payload as ApiEvents['models:progress']).doneBytes > 0);
    expect(channels.pause({ jobId: first.jobId })).toEqual({ paused: true });
    const paused = await endOf(first.jobId);
    expect(paused.event).toBe('models:failed');
    expect(paused.payload).toMatchObject({ code: 'cancelled', catalogId: 'tiny-two' });
    expect(channels.pause({ jobId: first.jobId })).toEqual({ paused: false });
    const partial = channels.library().catalogue.find((c) => c.id === 'tiny-two')!;
    expect(partial.partialBytes).toBeGreaterThan(0);
    expect(partial.installedId).toBeUndefined();

    expect(await channels.discard({ catalogId: 'tiny-two' })).toEqual({ discarded: true });
    expect(channels.library().catalogue.find((c) => c.id === 'tiny-two')!.partialBytes).toBe(0);
    expect(await channels.discard({ catalogId: 'tiny-two' })).toEqual({ discarded: false });

    const second = channels.pull({ catalogId: 'tiny-two' });
    const end = await endOf(second.jobId);
    expect(end.event).toBe('models:done');
    expect(existsSync(join(dataDir, 'models', 'tiny-two', 'unet', 'model.onnx'))).toBe(true);
  });

  it('imports a folder where it is (absolute paths only) and refuses what is not a model in one line', async () => {
    const r = await channels.import(TINY);
    expect(r).toEqual({ id: 'sd15-tiny', alreadyListed: true });
    await expect(channels.import('relative/dir')).rejects.toThrow('Give the model folder as an absolute path.');
    await expect(channels.import(dataDir)).rejects.toThrow(/./);
    expect(() => channels.pull({ catalogId: 'nope' })).toThrow('There is no model "nope" in the catalogue.');
  });

  it('a catalogue that cannot be read leaves installed models listed and says why', () => {
    const broken = new ModelChannels({ dataDir, models, emit: () => undefined, env: { ATELIER_MODELS_CATALOG: join(dataDir, 'missing.json') } });
    const lib = broken.library();
    expect(lib.catalogue).toEqual([]);
    expect(lib.catalogueProblem).toMatch(/^The model catalogue cannot be read/);
    expect(lib.installed.length).toBeGreaterThan(0);
    expect(() => broken.pull({ catalogId: 'tiny-one' })).toThrow(/catalogue cannot be read/);
  });
});

describe('a pulled ControlNet (issue 20)', () => {
  it('shows as installed in the catalogue under its ControlNet id, and the Control section can pick it', async () => {
    const cnDir = join(TEST_MODELS, 'controlnet-sd15-tiny');
    const server = await startTestModelServer(cnDir, 'atelier-test/cn');
    const dataDir = mkdtempSync(join(tmpdir(), 'atelier-model-channels-cn-'));
    try {
      const catalogFile = join(dataDir, 'catalog.json');
      const entry = { ...catalogEntryForFolder(cnDir, 'cn-scribble', 'atelier-test/cn'), kind: 'controlnet', recommended: null };
      writeFileSync(catalogFile, JSON.stringify({ type: 'atelier-model-catalog', version: 1, models: [entry] }));
      const models = new InstalledModels([]);
      const events: Ev[] = [];
      const channels = new ModelChannels({
        dataDir, models, emit: (event, payload) => void events.push({ event, payload }),
        env: { ATELIER_MODELS_CATALOG: catalogFile, ATELIER_MODELS_BASE_URL: server.baseUrl },
      });
      expect(channels.library().catalogue[0]).not.toHaveProperty('installedId');
      const { jobId } = channels.pull({ catalogId: 'cn-scribble' });
      for (let t = Date.now(); !events.some((e) => e.event === 'models:done' || e.event === 'models:failed'); ) {
        if (Date.now() - t > 30_000) throw new Error('the pull did not end');
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(events.find((e) => e.event === 'models:done')?.payload).toMatchObject({ jobId, catalogId: 'cn-scribble', modelId: 'cn-scribble' });
      expect(channels.library().catalogue[0]).toMatchObject({ id: 'cn-scribble', kind: 'controlnet', installedId: 'cn-scribble' });
      expect(models.listControlNets().map((c) => c.id)).toEqual(['cn-scribble']);
      expect(models.list()).toEqual([]);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('models channels through the one wrapper (as IPC and serve call them)', () => {
  it('refuse bad payloads in one line and answer the library with the shipped catalogue', async () => {
    const t = testStudio();
    try {
      const call = (channel: string, payload: unknown) => invokeChannel(t.studio.backend.handlers, channel, payload);
      for (const [channel, payload] of [
        ['models:pull', { catalogId: '../evil' }], ['models:pull', { catalogId: 'UPPER' }], ['models:pull', {}],
        ['models:pause', { jobId: 'a b' }], ['models:discard', { catalogId: 'a/b' }], ['models:import', { dir: 5 }], ['models:import', { dir: '' }],
      ] as const) {
        const r = await call(channel, payload);
        expect(r, `${channel} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
        if (!r.ok) expect(r.error.message).not.toContain('\n');
      }
      expect(await call('models:import', {})).toMatchObject({ ok: false, error: { message: 'Type the path of the model folder to import.' } });
      expect(await call('models:pull', { catalogId: 'no-such-model' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
      expect(await call('models:pause', { jobId: 'job-1' })).toEqual({ ok: true, value: { paused: false } });
      const lib = await call('models:library', {});
      expect(lib.ok).toBe(true);
      const value = (lib as { value: { catalogue: { id: string; installedId?: string }[]; installed: { id: string }[] } }).value;
      expect(value.catalogue.length).toBeGreaterThan(0);
      expect(value.installed.map((m) => m.id)).toContain('sd15-tiny');
    } finally {
      t.dispose();
    }
  });
});
