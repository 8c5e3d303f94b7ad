import { mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerationSettingsInput } from '../../contract/generation.js';
import { openHistoryStore, type HistoryStore } from './historyStore.js';
import { HistoryError } from './types.js';

function settings(prompt: string, seed = 1, extra: Partial<GenerationSettingsInput> = {}): GenerationSettingsInput {
  return { mode: 'txt2img', prompt, width: 512, height: 512, steps: 20, guidance: 7.5, scheduler: 'euler', seed, ...extra };
}

async function png(r: number, g = 0, b = 0): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: { r, g, b } } }).png().toBuffer();
}

const timings = { loadMs: 1, encodeMs: 2, denoiseMs: 30, decodeMs: 4, totalMs: 37 };

let dir: string;
let store: HistoryStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-history-'));
  store = openHistoryStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('entry lifecycle', () => {
  it('creates, runs and completes an entry with its images, timings and provider', async () => {
    const created = store.createEntry({ settings: settings('a red fox'), model: { name: 'sd15' }, origin: 'cli' });
    expect(created.status).toBe('queued');
    expect(created.settings.negativePrompt).toBe('');
    expect(created.settings.batch).toBe(1);
    expect(store.markRunning(created.id).status).toBe('running');
    const a = await store.images.put(await png(200));
    const b = await store.images.put(await png(10));
    const done = store.completeEntry(created.id, {
      images: [{ imageId: a, seed: 1 }, { imageId: b, seed: 2 }], timings, provider: 'cpu', modelHash: 'abc123',
    });
    expect(done.status).toBe('done');
    expect(done.images).toEqual([{ imageId: a, seed: 1 }, { imageId: b, seed: 2 }]);
    expect(done.timings).toEqual(timings);
    expect(done.provider).toBe('cpu');
    expect(done.model).toEqual({ name: 'sd15', hash: 'abc123' });
    expect(done.origin).toBe('cli');
    expect(store.get(created.id)).toEqual(done);
  });

  it('records failures and cancellations with a reason, and keeps finished entries final', () => {
    const f = store.createEntry({ settings: settings('x'), model: { name: 'm' }, status: 'running' });
    const failed = store.failEntry(f.id, 'out of memory\nstack trace line');
    expect(failed.status).toBe('failed');
    expect(failed.failureReason).toBe('out of memory');
    const c = store.createEntry({ settings: settings('y'), model: { name: 'm' } });
    expect(store.cancelEntry(c.id).status).toBe('cancelled');
    // A late failure after cancel does not rewrite what the user did.
    expect(store.failEntry(c.id, 'aborted').status).toBe('cancelled');
    expect(() => store.completeEntry(c.id, { images: [] })).toThrow(/already cancelled/);
    expect(() => store.markRunning(f.id)).toThrow(HistoryError);
  });

  it('rejects bad input with one clear line', async () => {
    expect(() => store.createEntry({ settings: settings('x', 1, { width: 500 }), model: { name: 'm' } })).toThrow(
      /invalid generation settings: width/,
    );
    expect(() => store.createEntry({ settings: settings('x'), model: { name: ' ' } })).toThrow(/model name/);
    expect(() => store.createEntry({ settings: settings('x'), model: { name: 'm' }, parentId: 'nope' })).toThrow(/parent entry nope not found/);
    expect(() => store.markRunning('missing')).toThrow(/no history entry missing/);
    const e = store.createEntry({ settings: settings('x'), model: { name: 'm' } });
    expect(() => store.completeEntry(e.id, { images: [{ imageId: 'f'.repeat(64), seed: 1 }] })).toThrow(/not in the image store/);
    expect(() => store.completeEntry(e.id, { images: [{ imageId: '../../etc/passwd', seed: 1 }] })).toThrow(/not an image id/);
    await expect(store.images.put(Buffer.from('GIF89a not a png at all, just some bytes'))).rejects.toThrow(/not a PNG/);
    expect(() => store.list({ limit: 0 })).toThrow(/limit/);
    expect(() => store.list({ cursor: 'garbage!' })).toThrow(/invalid page cursor/);
    expect(store.get(e.id)?.status).toBe('queued');
  });

  it('branches: an entry remembers its parent and survives the parent being deleted', () => {
    const parent = store.createEntry({ settings: settings('castle'), model: { name: 'm' } });
    expect(() => store.delete(parent.id)).toThrow(/cannot delete entry .* still queued; cancel it first/);
    store.cancelEntry(parent.id);
    const child = store.createEntry({ settings: settings('castle at night'), model: { name: 'm' }, parentId: parent.id, documentId: 'doc-1' });
    expect(child.parentId).toBe(parent.id);
    expect(child.documentId).toBe('doc-1');
    store.delete(parent.id);
    expect(store.get(parent.id)).toBeUndefined();
    expect(store.get(child.id)?.parentId).toBeUndefined();
  });
});

describe('list, search, count', () => {
  function seed(): void {
    const prompts = ['wooden cabin in the snow', 'a wooden boat', 'portrait of a cat', 'Café at night, neon', 'forest "path" -dark', 'castle OR tower'];
    store.batch(() => {
      prompts.forEach((p, i) => {
        const e = store.createEntry({ settings: settings(p, i), model: { name: i % 2 ? 'sdxl' : 'sd15' }, createdAt: 1000 + i * 10 });
        if (i === 2) store.setFavourite(e.id, true);
      });
    });
  }

  it('lists newest first with keyset pagination that visits every entry once', () => {
    store.batch(() => {
      // Equal timestamps must still page deterministically.
      for (let i = 0; i < 23; i++) store.createEntry({ settings: settings(`p${i}`), model: { name: 'm' }, createdAt: 5000 + Math.floor(i / 4) });
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = store.list({ limit: 5, cursor });
      seen.push(...page.entries.map((e) => e.settings.prompt));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `p${22 - i}`));
  });

  it('finds prompts by word prefix, case and accent insensitive', () => {
    seed();
    const prompts = (q: string) => store.list({ query: q }).entries.map((e) => e.settings.prompt);
    expect(prompts('wood')).toEqual(['a wooden boat', 'wooden cabin in the snow']);
    expect(prompts('WOODEN cab')).toEqual(['wooden cabin in the snow']);
    expect(prompts('cafe')).toEqual(['Café at night, neon']);
    expect(prompts('nothing-like-this')).toEqual([]);
    expect(store.count({ query: 'wood' })).toBe(2);
  });

  it('treats FTS syntax in user text as plain words and never throws', () => {
    seed();
    for (const q of ['"', 'path"', '-dark', 'OR', 'castle OR', 'NEAR(a b)', '*', 'a:b', '(((', "'; DROP TABLE entries; --", '^wood', '💥', '']) {
      expect(() => store.list({ query: q })).not.toThrow();
    }
    expect(store.list({ query: '"path' }).entries.map((e) => e.settings.prompt)).toEqual(['forest "path" -dark']);
    expect(store.list({ query: 'castle OR' }).entries.map((e) => e.settings.prompt)).toEqual(['castle OR tower']);
    // No searchable word means no text filter.
    expect(store.count({ query: '!!!' })).toBe(6);
  });

  it('filters by model, time range, favourites, status and document; count agrees with list', () => {
    seed();
    expect(store.count()).toBe(6);
    expect(store.count({ model: 'sdxl' })).toBe(3);
    expect(store.list({ favouritesOnly: true }).entries.map((e) => e.settings.prompt)).toEqual(['portrait of a cat']);
    expect(store.count({ from: 1010, to: 1030 })).toBe(2);
    expect(store.count({ status: 'queued' })).toBe(6);
    expect(store.count({ status: ['done', 'failed'] })).toBe(0);
    expect(store.count({ query: 'wood', model: 'sd15' })).toBe(1);
    expect(store.models()).toEqual([{ name: 'sd15', count: 3 }, { name: 'sdxl', count: 3 }]);
    expect(store.findByIdPrefix(store.list({ limit: 1 }).entries[0].id.slice(0, 8))).toHaveLength(1);
  });
});

describe('images', () => {
  it('stores PNGs content-addressed, dedupes, and deletes only unreferenced files', async () => {
    const bytes = await png(1, 2, 3);
    const id = await store.images.put(bytes);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(store.images.path(id)).toBe(join(dir, 'images', id.slice(0, 2), `${id}.png`));
    expect(await store.images.put(bytes)).toBe(id);
    expect(readdirSync(join(dir, 'images', id.slice(0, 2)))).toEqual([`${id}.png`]);
    expect(Buffer.compare(await store.images.read(id), bytes)).toBe(0);

    const other = await store.images.put(await png(9));
    const e1 = store.createEntry({ settings: settings('one'), model: { name: 'm' } });
    const e2 = store.createEntry({ settings: settings('two'), model: { name: 'm' } });
    store.completeEntry(e1.id, { images: [{ imageId: id, seed: 1 }, { imageId: other, seed: 2 }] });
    store.completeEntry(e2.id, { images: [{ imageId: id, seed: 1 }] });
    const thumb = await store.images.thumbnail(other);
    expect(existsSync(thumb)).toBe(true);

    store.delete(e1.id);
    expect(store.images.has(id)).toBe(true); // still used by e2
    expect(store.images.has(other)).toBe(false);
    expect(existsSync(thumb)).toBe(false);
    store.delete(e2.id);
    expect(store.images.has(id)).toBe(false);
    await expect(store.images.read(id)).rejects.toThrow(/missing from the image store/);
  });

  it('keeps img2img/inpaint inputs for re-runs and counts them as references', async () => {
    const init = await store.images.put(await png(120, 120, 120));
    const mask = await store.images.put(await png(255, 255, 255));
    const out = await store.images.put(await png(7));
    const s = settings('repaint the sky', 3, { mode: 'inpaint' });
    const a = store.createEntry({ settings: s, model: { name: 'm' }, initImageId: init, maskImageId: mask });
    expect(a).toMatchObject({ initImageId: init, maskImageId: mask });
    store.completeEntry(a.id, { images: [{ imageId: out, seed: 3 }] });
    // A second job starts from the first one's output.
    const b = store.createEntry({ settings: settings('again', 4, { mode: 'img2img' }), model: { name: 'm' }, initImageId: out });
    store.delete(a.id);
    expect([store.images.has(init), store.images.has(mask), store.images.has(out)]).toEqual([false, false, true]);
    store.failEntry(b.id, 'engine crashed');
    store.delete(b.id);
    expect(store.images.has(out)).toBe(false);
    expect(() => store.createEntry({ settings: s, model: { name: 'm' }, initImageId: 'e'.repeat(64) })).toThrow(/init image eeee.* not in the image store/);
  });

  it('explains an image folder it cannot write to', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const bytes = await png(33);
    const id = (await import('./imageStore.js')).imageIdOf(bytes);
    // The shard folder is a file: the write fails the way a broken disk or a permission problem does.
    mkdirSync(join(dir, 'images'), { recursive: true });
    writeFileSync(join(dir, 'images', id.slice(0, 2)), 'in the way');
    await expect(store.images.put(bytes)).rejects.toThrow(/^the image was not saved: /);
    await expect(store.images.put(bytes)).rejects.toBeInstanceOf(HistoryError);
  });

  it('keeps files that isImageInUse protects', async () => {
    store.close();
    const keep = new Set<string>();
    store = openHistoryStore(dir, { isImageInUse: (id) => keep.has(id) });
    const id = await store.images.put(await png(50));
    keep.add(id);
    const e = store.createEntry({ settings: settings('kept'), model: { name: 'm' } });
    store.completeEntry(e.id, { images: [{ imageId: id, seed: 1 }] });
    store.delete(e.id);
    expect(store.images.has(id)).toBe(true);
  });

  it('makes a cached WebP thumbnail no larger than asked', async () => {
    const big = await sharp({ create: { width: 640, height: 320, channels: 3, background: '#336699' } }).png().toBuffer();
    const id = await store.images.put(big);
    const [p1, p2] = await Promise.all([store.images.thumbnail(id), store.images.thumbnail(id)]);
    expect(p1).toBe(p2);
    const meta = await sharp(p1).metadata();
    expect(meta.format).toBe('webp');
    expect([meta.width, meta.height]).toEqual([192, 96]);
    await expect(store.images.thumbnail(id, 100)).rejects.toThrow(/thumbnail size/);
    // A stored file that stopped decoding (truncated copy, disk trouble) gives one clear line, and no cache file.
    const truncated = await store.images.put(big.subarray(0, 200));
    await expect(store.images.thumbnail(truncated)).rejects.toThrow(/cannot make a thumbnail of image/);
    await expect(store.images.thumbnail('f'.repeat(64))).rejects.toThrow(/missing from the image store/);
  });
});
