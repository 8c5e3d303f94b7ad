import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelRoots } from '../jobs/createStudio.js';
import { InstalledModels } from '../jobs/installedModels.js';
import { Engine } from '../engine/engine.js';
import { EngineError } from '../engine/types.js';
import { parseCatalog, type ModelCatalog } from './modelCatalog.js';
import { projectRoot } from './defaultModel.js';
import {
  catalogStatus,
  forgetImported,
  importModelFolder,
  installedModels,
  LibraryError,
  libraryRoots,
  listModelFolders,
  ModelDownloads,
  previewDecoders,
  readRegistry,
  registryPath,
  type DownloadEvent,
} from './modelLibrary.js';
import { catalogEntryForFolder, startTestModelServer, type TestModelServer } from './testing/testModelServer.js';
import { pullModel } from './downloader.js';
import { PreviewDecoder } from '../engine/preview.js';

const tmp = mkdtempSync(join(tmpdir(), 'atelier-library-'));
const source = join(tmp, 'source', 'sd15-tiny');
cpSync(join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny'), source, { recursive: true });
let n = 0;
function freshDataDir(): string {
  const d = join(tmp, `data-${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
}
/** A user's own folder somewhere outside the data folder. */
function userFolder(name: string): string {
  const d = join(tmp, `user-${n++}`, name);
  cpSync(source, d, { recursive: true });
  return d;
}

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('listing model folders', () => {
  it('finds models one level down, skips dot-folders (downloads in staging) and makes ids unique', () => {
    const a = join(tmp, 'roots-a');
    const b = join(tmp, 'roots-b');
    cpSync(source, join(a, 'shapes'), { recursive: true });
    cpSync(source, join(a, '.staging', 'half-done'), { recursive: true });
    cpSync(source, join(b, 'shapes'), { recursive: true });
    mkdirSync(join(b, 'not-a-model', 'unet'), { recursive: true });
    const found = listModelFolders([a, b, join(a, 'shapes')]);
    expect(found.map((m) => m.id)).toEqual(['shapes', 'shapes-2']);
    expect(found[1]!.dir).toBe(join(b, 'shapes'));
  });
});

describe('test models behind the developer flag', () => {
  it('lists sd15-tiny, sd15-inpaint-tiny and sdxl-tiny only with ATELIER_DEV_MODELS=1', () => {
    const dataDir = freshDataDir();
    const ids = (env: NodeJS.ProcessEnv) => listModelFolders(libraryRoots(dataDir, undefined, env)).map((m) => m.id);
    const tiny = ['sd15-tiny', 'sd15-inpaint-tiny', 'sdxl-tiny'];
    for (const id of tiny) expect(ids({})).not.toContain(id);
    expect(ids({ ATELIER_DEV_MODELS: '0' })).not.toContain('sd15-tiny');
    expect(ids({ ATELIER_DEV_MODELS: '1' })).toEqual(expect.arrayContaining(tiny));
  });
});

describe('importing a folder the user already has', () => {
  it('checks it with a real session load, registers it without copying, and the picker lists it', async () => {
    const dataDir = freshDataDir();
    const dir = userFolder('my-sd15');
    const engine = new Engine({ provider: 'cpu' });
    try {
      const r = await importModelFolder(dataDir, dir, (d) => engine.inspect(d));
      expect(r).toEqual({ alreadyListed: false, id: 'my-sd15', dir });
    } finally {
      await engine.release();
    }
    expect(readRegistry(dataDir).models.map((m) => m.dir)).toEqual([dir]);
    expect(existsSync(join(dataDir, 'models'))).toBe(false);
    const mine = installedModels(dataDir).find((m) => m.dir === dir);
    expect(mine).toMatchObject({ id: 'my-sd15', origin: 'imported', family: 'sd1' });
    // The app's picker and history re-runs resolve the same id to the same folder.
    expect(new InstalledModels(defaultModelRoots(dataDir)).dirOf('my-sd15')).toBe(dir);

    expect(await importModelFolder(dataDir, dir)).toEqual({ alreadyListed: true, id: 'my-sd15', dir });
    expect(readRegistry(dataDir).models).toHaveLength(1);

    // A second folder with the same name gets its own id.
    const twin = userFolder('my-sd15');
    expect((await importModelFolder(dataDir, twin)).id).toBe('my-sd15-2');

    expect(forgetImported(dataDir, 'my-sd15')).toBe(true);
    expect(existsSync(dir)).toBe(true);
    // Ids are folder names made unique in listing order: the twin now answers to the plain name.
    const picker = new InstalledModels(defaultModelRoots(dataDir));
    expect(picker.dirOf('my-sd15')).toBe(twin);
    expect(picker.dirOf('my-sd15-2')).toBeUndefined();
    expect(forgetImported(dataDir, dir)).toBe(false);
  });

  it('refuses a broken folder or one that fails to load, in one line, registering nothing', async () => {
    const dataDir = freshDataDir();
    const broken = userFolder('broken');
    rmSync(join(broken, 'unet'), { recursive: true });
    await expect(importModelFolder(dataDir, broken)).rejects.toThrow(new RegExp(`^model folder has no unet/model.onnx: ${broken}$`));

    const truncated = userFolder('truncated');
    writeFileSync(join(truncated, 'unet', 'model.onnx'), readFileSync(join(source, 'unet', 'model.onnx')).subarray(0, 5000));
    const engine = new Engine({ provider: 'cpu' });
    try {
      const err = await importModelFolder(dataDir, truncated, (d) => engine.inspect(d)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as Error).message.split('\n')).toHaveLength(1);
    } finally {
      await engine.release();
    }
    expect(existsSync(registryPath(dataDir))).toBe(false);
  });

  it('a damaged registry is reported, never overwritten', async () => {
    const dataDir = freshDataDir();
    writeFileSync(registryPath(dataDir), '{"type": "atelier-model-registry", "models": [');
    await expect(importModelFolder(dataDir, userFolder('x'))).rejects.toThrow(LibraryError);
    await expect(importModelFolder(dataDir, userFolder('x'))).rejects.toThrow(/is damaged .*move it aside/);
    expect(readFileSync(registryPath(dataDir), 'utf8')).toBe('{"type": "atelier-model-registry", "models": [');
    // Listing still works without the imported folders.
    expect(installedModels(dataDir).some((m) => m.origin === 'imported')).toBe(false);
  });
});

describe('downloads as jobs for the Models dialog', () => {
  let server: TestModelServer;
  let catalog: ModelCatalog;
  beforeAll(async () => {
    const entry = catalogEntryForFolder(source, 'tiny-pull');
    server = await startTestModelServer(source, entry.source.repo);
    catalog = parseCatalog({ type: 'atelier-model-catalog', version: 1, models: [entry] });
  });
  afterAll(async () => server.close());

  function waitFor(events: DownloadEvent[], jobId: string): Promise<DownloadEvent> {
    return new Promise((resolve) => {
      const t = setInterval(() => {
        const end = events.find((e) => e.jobId === jobId && e.type !== 'progress');
        if (end) {
          clearInterval(t);
          resolve(end);
        }
      }, 10);
    });
  }

  it('streams progress, ends with one result, and the pulled model is listed as pulled', async () => {
    const dataDir = freshDataDir();
    const events: DownloadEvent[] = [];
    const downloads = new ModelDownloads(catalog, { modelsDir: join(dataDir, 'models'), baseUrl: server.baseUrl, progressIntervalMs: 0 }, (e) => events.push(e));
    const jobId = downloads.start('tiny-pull');
    expect(() => downloads.start('tiny-pull')).toThrow(/already downloading/);
    expect(() => downloads.start('nope')).toThrow(/no model "nope"/);
    const end = await waitFor(events, jobId);
    expect(end.type).toBe('done');
    expect(events.filter((e) => e.type !== 'progress')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'progress').length).toBeGreaterThan(3);
    expect(downloads.running()).toEqual([]);
    const pulled = installedModels(dataDir).find((m) => m.id === 'tiny-pull');
    expect(pulled).toMatchObject({ origin: 'pulled', catalogId: 'tiny-pull' });
    expect(catalogStatus(catalog, dataDir)[0]).toMatchObject({ installedDir: pulled!.dir, partialBytes: 0 });
  });

  it('cancel by job id pauses: one error event, the partial bytes stay for a resume', async () => {
    const dataDir = freshDataDir();
    const events: DownloadEvent[] = [];
    let downloads: ModelDownloads | undefined;
    let jobId = '';
    downloads = new ModelDownloads(catalog, { modelsDir: join(dataDir, 'models'), baseUrl: server.baseUrl, progressIntervalMs: 0 }, (e) => {
      events.push(e);
      if (e.type === 'progress' && e.progress.doneBytes > 1_000_000) downloads!.cancel(jobId);
    });
    jobId = downloads.start('tiny-pull');
    const end = await waitFor(events, jobId);
    expect(end).toMatchObject({ type: 'error', code: 'cancelled' });
    expect(downloads.cancel(jobId)).toBe(false);
    const status = catalogStatus(catalog, dataDir)[0]!;
    expect(status.installedDir).toBeUndefined();
    expect(status.partialBytes).toBeGreaterThan(1_000_000);
  });
});

describe('preview decoders', () => {
  it('a pulled preview VAE is found by family and loads as the engine\'s preview decoder', async () => {
    const dataDir = freshDataDir();
    expect(previewDecoders(dataDir)).toEqual({});
    // The tiny model's VAE decoder stands in for TAESD: same folder layout, same latent input.
    const base = catalogEntryForFolder(source, 'taesd');
    const entry = { ...base, kind: 'preview-vae' as const, recommended: null, files: base.files.filter((f) => f.path.startsWith('vae_decoder/')) };
    const server = await startTestModelServer(source, entry.source.repo);
    try {
      await pullModel(entry, { modelsDir: join(dataDir, 'models'), baseUrl: server.baseUrl });
    } finally {
      await server.close();
    }
    const found = previewDecoders(dataDir);
    expect(found).toEqual({ sd: join(dataDir, 'models', 'taesd') });
    // Not a pipeline: the picker does not offer it.
    expect(installedModels(dataDir).some((m) => m.id === 'taesd')).toBe(false);
    const decoder = await PreviewDecoder.load(found.sd!, 'cpu');
    const img = await decoder.decode(new Float32Array(4 * 8 * 8), 8, 8);
    expect(img.width).toBeGreaterThan(0);
  });
});
