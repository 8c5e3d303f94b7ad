import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { HistoryEntry } from '../../contract/api.js';
import { invokeChannel } from './apiHandlers.js';
import { testStudio, waitForEnd } from './testing/testStudio.js';

const settings = { mode: 'txt2img' as const, prompt: 'a red fox', negativePrompt: '', width: 64, height: 64, steps: 2, guidance: 7, scheduler: 'euler' as const, seed: 5, batch: 1, strength: 1, maskFeather: 4 };

describe('history channels: filters, favourite, delete, exact re-run, PNG import', () => {
  let t: ReturnType<typeof testStudio>;
  beforeAll(() => (t = testStudio()));
  afterAll(() => t.dispose());
  const call = async (channel: string, payload: unknown) => {
    const r = await invokeChannel(t.studio.backend.handlers, channel, payload);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value as never;
  };
  const fails = async (channel: string, payload: unknown) => {
    const r = await invokeChannel(t.studio.backend.handlers, channel, payload);
    expect(r.ok, `${channel} ${JSON.stringify(payload)}`).toBe(false);
    return r.ok ? { code: '', message: '' } : r.error;
  };
  const run = async (req: Record<string, unknown>, channel = 'generation:start'): Promise<string> => {
    const { jobId } = (await call(channel, req)) as { jobId: string };
    const end = await waitForEnd(t.events, jobId);
    expect(end.event).toBe('generation:done');
    return (end.payload as { images: { historyEntryId: string }[] }).images[0].historyEntryId;
  };
  const list = async (req: Record<string, unknown>) => (await call('history:list', { documentId: 'doc-h', ...req })) as { entries: HistoryEntry[]; total: number };
  const pixels = async (imageId: string) => sharp(await t.studio.backend.images.read(imageId)).raw().toBuffer();

  let fox = '';
  let whale = '';
  beforeAll(async () => {
    fox = await run({ modelId: 'sd15-tiny', settings, documentId: 'doc-h' });
    whale = await run({ modelId: 'sd15-tiny', settings: { ...settings, prompt: 'a blue whale', seed: 9 }, documentId: 'doc-h' });
  });

  it('lists with search words (prefixes), model, dates and favourites; rows carry model, favourite and settings', async () => {
    expect((await list({})).total).toBe(2);
    const found = await list({ query: 'fo' });
    expect(found.entries.map((e) => e.id)).toEqual([fox]);
    expect(found.total).toBe(1);
    expect(found.entries[0]).toMatchObject({ model: 'sd15-tiny', favourite: false, settings: { prompt: 'a red fox', seed: 5, steps: 2, scheduler: 'euler' } });
    expect((await list({ query: 'whale blue' })).entries.map((e) => e.id)).toEqual([whale]);
    expect((await list({ query: '"fox OR' })).total).toBe(0);
    expect((await list({ model: 'sd15-tiny' })).total).toBe(2);
    expect((await list({ model: 'other' })).total).toBe(0);
    const now = Date.now();
    expect((await list({ from: now - 60_000, to: now + 1000 })).total).toBe(2);
    expect((await list({ to: now - 60_000 })).total).toBe(0);
    expect((await call('history:models', {}) as { models: { name: string; count: number }[] }).models).toEqual([{ name: 'sd15-tiny', count: 2 }]);

    expect(await call('history:favourite', { id: whale, favourite: true })).toEqual({ id: whale, favourite: true });
    const favs = await list({ favouritesOnly: true });
    expect(favs.entries.map((e) => [e.id, e.favourite])).toEqual([[whale, true]]);
    await call('history:favourite', { id: whale, favourite: false });
    expect((await list({ favouritesOnly: true })).total).toBe(0);
  });

  it('re-runs exactly: same settings, seed and model; the new entry names its parent and lands in the given document', async () => {
    const again = await run({ id: fox, documentId: 'doc-other' }, 'history:rerun');
    const stored = t.studio.history.get(again)!;
    expect(stored).toMatchObject({ parentId: fox, documentId: 'doc-other', status: 'done', model: { name: 'sd15-tiny' } });
    expect(stored.settings).toEqual(t.studio.history.get(fox)!.settings);
    const [a, b] = [t.studio.history.get(fox)!.images[0].imageId, stored.images[0].imageId];
    expect(Buffer.compare(await pixels(a), await pixels(b))).toBe(0);
  });

  it('re-runs img2img with the kept input image', async () => {
    const init = await sharp({ create: { width: 64, height: 64, channels: 4, background: '#00ff00' } }).png().toBuffer();
    const { imageId } = (await call('images:put', { bytes: new Uint8Array(init) })) as { imageId: string };
    const first = await run({ modelId: 'sd15-tiny', settings: { ...settings, mode: 'img2img', strength: 0.5 }, initImageId: imageId, documentId: 'doc-i' });
    expect(t.studio.history.get(first)!.initImageId).toBe(imageId);
    const again = await run({ id: first }, 'history:rerun');
    expect(t.studio.history.get(again)).toMatchObject({ initImageId: imageId, documentId: 'doc-i', parentId: first });
    // The scripted engine marks outputs made from an init image (blue 255).
    expect((await pixels(t.studio.history.get(again)!.images[0].imageId))[2]).toBe(255);
  });

  it('refuses what it cannot do in one line: unknown ids, bad ids, entries whose model or input is gone', async () => {
    expect(await fails('history:rerun', { id: '0123abcd' })).toMatchObject({ code: 'not-found', message: 'That history entry no longer exists.' });
    expect((await fails('history:favourite', { id: '../x', favourite: true })).code).toBe('invalid-input');
    expect((await fails('history:favourite', { id: fox, favourite: 'yes' })).code).toBe('invalid-input');
    expect((await fails('history:delete', { id: fox, keepImageIds: ['nope'] })).code).toBe('invalid-input');
    expect((await fails('history:import', { imageId: 'a'.repeat(64) })).code).toBe('not-found');
    const orphan = t.studio.history.createEntry({ settings, model: { name: 'gone-model' }, status: 'running' });
    t.studio.history.completeEntry(orphan.id, { images: [] });
    expect((await fails('history:rerun', { id: orphan.id })).message).toBe('Model "gone-model" is not installed, so this entry cannot be re-run.');
    const img2img = t.studio.history.createEntry({ settings: { ...settings, mode: 'img2img' }, model: { name: 'sd15-tiny' }, status: 'running' });
    t.studio.history.completeEntry(img2img.id, { images: [] });
    expect((await fails('history:rerun', { id: img2img.id })).message).toMatch(/did not keep its input image/);
  });

  it('one image of a batch: favourite, re-run and delete act on that image only; the count counts images', async () => {
    const entry = await run({ modelId: 'sd15-tiny', settings: { ...settings, prompt: 'a batch of three', seed: 42, batch: 3 }, documentId: 'doc-b' });
    const images = t.studio.history.get(entry)!.images;
    expect(images.map((i) => i.seed)).toEqual([42, 43, 44]);
    const page = await list({ documentId: 'doc-b' });
    expect(page.total).toBe(3);
    expect(page.entries.map((e) => e.seed)).toEqual([42, 43, 44]);

    expect(await call('history:favourite', { id: entry, favourite: true, imageId: images[1].imageId })).toEqual({ id: entry, favourite: true });
    const favs = await list({ documentId: 'doc-b', favouritesOnly: true });
    expect([favs.total, favs.entries.map((e) => [e.seed, e.favourite])]).toEqual([1, [[43, true]]]);
    expect((await list({ documentId: 'doc-b' })).entries.map((e) => e.favourite)).toEqual([false, true, false]);

    // Re-run of seed 44 alone: one image, equal to the batch's third.
    const again = await run({ id: entry, imageId: images[2].imageId, documentId: 'doc-b' }, 'history:rerun');
    const rerun = t.studio.history.get(again)!;
    expect([rerun.settings.seed, rerun.settings.batch, rerun.images.length, rerun.parentId]).toEqual([44, 1, 1, entry]);
    expect(Buffer.compare(await pixels(rerun.images[0].imageId), await pixels(images[2].imageId))).toBe(0);
    await call('history:delete', { id: again });

    // Deleting seed 44 leaves 42 and 43 (and the favourite).
    await call('history:delete', { id: entry, imageId: images[2].imageId });
    expect(t.studio.history.get(entry)!.images.map((i) => i.seed)).toEqual([42, 43]);
    expect(t.studio.backend.images.has(images[0].imageId)).toBe(true);
    expect((await list({ documentId: 'doc-b' })).total).toBe(2);
    expect((await fails('history:rerun', { id: entry, imageId: images[2].imageId })).message).toBe('That image is no longer in this history entry.');
    // The last image takes the entry with it.
    await call('history:delete', { id: entry, imageId: images[0].imageId });
    await call('history:delete', { id: entry, imageId: images[1].imageId });
    expect(t.studio.history.get(entry)).toBeUndefined();
    expect((await list({ documentId: 'doc-b' })).total).toBe(0);
  });

  it('deletes: the image file goes unless the open document still uses it; import brings a PNG back with its settings', async () => {
    const keep = await run({ modelId: 'sd15-tiny', settings: { ...settings, prompt: 'kept pixels', seed: 77 }, documentId: 'doc-d' });
    const keptImage = t.studio.history.get(keep)!.images[0].imageId;
    await call('history:delete', { id: keep, keepImageIds: [keptImage] });
    expect(t.studio.history.get(keep)).toBeUndefined();
    expect(t.studio.backend.images.has(keptImage)).toBe(true);

    const gone = await run({ modelId: 'sd15-tiny', settings: { ...settings, prompt: 'lost pixels', seed: 78 }, documentId: 'doc-d' });
    const goneImage = t.studio.history.get(gone)!.images[0].imageId;
    const png = await t.studio.backend.images.read(goneImage);
    await call('history:delete', { id: gone });
    expect(t.studio.backend.images.has(goneImage)).toBe(false);
    expect((await list({ documentId: 'doc-d' })).total).toBe(0);

    // Dropping the PNG again: upload, then import; the entry comes back with the file's settings.
    const { imageId } = (await call('images:put', { bytes: new Uint8Array(png) })) as { imageId: string };
    const r = (await call('history:import', { imageId, documentId: 'doc-d' })) as { entryId: string; created: boolean };
    expect(r.created).toBe(true);
    const [row] = (await list({ documentId: 'doc-d' })).entries;
    expect(row).toMatchObject({ id: r.entryId, imageId, prompt: 'lost pixels', seed: 78, settings: { steps: 2, scheduler: 'euler' } });
    expect((await call('history:import', { imageId, documentId: 'doc-d' }) as { created: boolean }).created).toBe(false);

    const plain = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).png().toBuffer();
    const put = (await call('images:put', { bytes: new Uint8Array(plain) })) as { imageId: string };
    expect((await fails('history:import', { imageId: put.imageId })).message).toMatch(/no generation metadata/);
  });
});
