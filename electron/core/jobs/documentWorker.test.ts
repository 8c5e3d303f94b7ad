import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument } from '../../contract/document.js';
import { buildSampleDocument } from '../export/fixtures/sampleDocument.js';
import { readDocumentFile } from '../document/documentFile.js';
import { ImageStore } from '../store/imageStore.js';
import { DocumentLibrary } from './documentLibrary.js';
import { DocumentWorker, inProcessDocuments } from './documentWorker.js';
import { describeFailure as describeError } from '../../shared/userError.js';

describe('DocumentWorker: export, import and packing off the calling thread', () => {
  let dir: string;
  let worker: DocumentWorker;
  // One thread for the file (its start-up under tsx costs seconds on a loaded machine); a cancel replaces it.
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'atelier-docworker-'));
    worker = new DocumentWorker(dir);
  });
  afterAll(() => {
    worker.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function sample(): Promise<AtelierDocument> {
    const { document, images } = await buildSampleDocument();
    const store = new ImageStore(dir);
    for (const png of images.values()) await store.put(png);
    return document;
  }

  it('writes the same PSD as the in-place writer, reporting progress up to its total', async () => {
    const document = await sample();
    const steps: [number, number][] = [];
    const r = await worker.run({ kind: 'export', path: join(dir, 'w.psd'), document, frameOnly: false }, { onProgress: (d, t) => steps.push([d, t]) });
    await inProcessDocuments(dir).run({ kind: 'export', path: join(dir, 'p.psd'), document, frameOnly: false });
    expect(readFileSync(join(dir, 'w.psd')).equals(readFileSync(join(dir, 'p.psd')))).toBe(true);
    expect(r.bytes).toBe(readFileSync(join(dir, 'w.psd')).length);
    expect(steps.length).toBeGreaterThan(3);
    expect(steps.at(-1)![0]).toBe(steps.at(-1)![1]);
    for (let i = 1; i < steps.length; i++) expect(steps[i][0] / steps[i][1]).toBeGreaterThanOrEqual(steps[i - 1][0] / steps[i - 1][1]);
  });

  it('imports a PSD and unpacks an .atelier, putting their images into the store', async () => {
    const document = await sample();
    await worker.run({ kind: 'export', path: join(dir, 'a.psd'), document, frameOnly: false });
    await worker.run({ kind: 'pack', path: join(dir, 'a.atelier'), document });
    rmSync(join(dir, 'images'), { recursive: true, force: true });
    const imported = await worker.run({ kind: 'import', path: join(dir, 'a.psd'), name: 'holiday.psd' });
    expect(imported.document.name).toBe('holiday');
    expect(imported.document.layers.map((l) => l.id)).toEqual(document.layers.map((l) => l.id));
    const { document: back } = await worker.run({ kind: 'unpack', path: join(dir, 'a.atelier') });
    expect(back).toEqual(document);
    const store = new ImageStore(dir);
    for (const l of back.layers) if (l.kind === 'raster') expect(store.has(l.imageId)).toBe(true);
  });

  it('carries a failure across the thread as one line with its code', async () => {
    const bad = await worker.run({ kind: 'import', path: join(dir, 'nothing.psd'), name: 'scan.psd' }).catch((e: unknown) => e);
    expect(describeError(bad)).toEqual({ message: expect.stringMatching(/scan\.psd.*no such file/), code: 'invalid-input' });
    const document = await sample();
    rmSync(join(dir, 'images'), { recursive: true, force: true });
    const missing = await worker.run({ kind: 'pack', path: join(dir, 'x.atelier'), document }).catch((e: unknown) => e);
    expect(describeError(missing)).toEqual({ message: expect.stringMatching(/missing from the image store/), code: 'not-found' });
    // The thread is still there for the next task.
    await worker.run({ kind: 'pack', path: join(dir, 'empty.atelier'), document: { ...document, layers: [] } });
    expect(existsSync(join(dir, 'empty.atelier'))).toBe(true);
  });

  it('cancels a running export: no file, no temp file, and the next task runs', async () => {
    const size = 1024;
    const store = new ImageStore(dir);
    const layers = [];
    for (let i = 0; i < 3; i++) {
      const png = await sharp({ create: { width: size, height: size, channels: 4, background: { r: 40 * i, g: 90, b: 160, alpha: 1 }, noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).png({ compressionLevel: 1 }).toBuffer();
      layers.push({ id: `l${i}`, kind: 'raster' as const, name: `l${i}`, imageId: await store.put(png), x: 0, y: 0, width: size, height: size, opacity: 1, visible: true, blendMode: 'normal' as const });
    }
    const document = { type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: 'big', name: 'big', width: size, height: size, generationFrame: { x: 0, y: 0, width: 512, height: 512 }, layers, historyEntryIds: [] } as AtelierDocument;
    const abort = new AbortController();
    const path = join(dir, 'out', 'big.psd');
    // Step 4 is the first decode, inside the synchronous compositor: only ending the thread stops that.
    const started = worker.run({ kind: 'export', path, document, frameOnly: false }, { signal: abort.signal, onProgress: (done) => done >= 4 && abort.abort() });
    const queued = worker.run({ kind: 'pack', path: join(dir, 'after.atelier'), document: { ...document, layers: layers.slice(0, 1) } });
    await expect(started).rejects.toMatchObject({ code: 'cancelled', message: 'The export was cancelled.' });
    await queued;
    expect((await readDocumentFile(join(dir, 'after.atelier'))).document.layers).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200)); // the ended thread's temp file is removed after it stops
    expect(existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : []).toEqual([]);
  });

  it('a cancelled queued task never runs; a thread that cannot start fails the task in one line', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(worker.run({ kind: 'unpack', path: join(dir, 'x.atelier') }, { signal: abort.signal })).rejects.toMatchObject({ code: 'cancelled' });
    const broken = new DocumentWorker(dir, join(dir, 'no-such-entry.mjs'));
    await expect(broken.run({ kind: 'unpack', path: join(dir, 'x.atelier') })).rejects.toThrow(/^The document worker stopped during the opening \(.*\); nothing was changed\.$/);
    broken.dispose();
  });

  it('autosave keeps only the newest waiting snapshot while one is being written', async () => {
    const document = await sample();
    const library = new DocumentLibrary(dir, worker);
    const writes: string[] = [];
    const counting = { run: (task: Parameters<DocumentWorker['run']>[0]) => (writes.push((task as { document: AtelierDocument }).document.name), worker.run(task)), dispose() {} };
    const lib = new DocumentLibrary(dir, counting as never);
    await Promise.all(['one', 'two', 'three', 'four'].map((name) => lib.autosave({ ...document, name })));
    expect(writes).toEqual(['one', 'four']);
    expect((await library.recover(false))?.name).toBe('four');
  });
});
