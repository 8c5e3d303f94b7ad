import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeChannel } from './apiHandlers.js';
import { testStudio, waitForEnd } from './testing/testStudio.js';

const settings = { mode: 'txt2img', prompt: 'a cat', negativePrompt: '', width: 64, height: 64, steps: 2, guidance: 1, scheduler: 'euler', seed: 9, batch: 1, strength: 1, maskFeather: 4 };

describe('Live drafts through generation:start / generation:keepDraft', () => {
  let t: ReturnType<typeof testStudio>;
  beforeAll(() => (t = testStudio()));
  afterAll(() => t.dispose());
  const call = (channel: unknown, payload: unknown) => invokeChannel(t.studio.backend.handlers, channel, payload);
  const imageFiles = () => readdirSync(join(t.dataDir), { recursive: true }).filter((f) => String(f).endsWith('.png')).length;
  const start = async (extra: object) => {
    const r = await call('generation:start', { modelId: 'sd15-tiny', settings, documentId: 'doc-live', ...extra });
    if (!r.ok) throw new Error(r.error.message);
    const { jobId } = r.value as { jobId: string };
    return { jobId, end: await waitForEnd(t.events, jobId) };
  };

  it('a draft leaves History and the image store untouched and is served by URL; Apply keeps it as a "live" entry', async () => {
    const before = imageFiles();
    const { jobId, end } = await start({ live: 'draft' });
    expect(end.event).toBe('generation:done');
    const done = end.payload as { images: unknown[]; draft: { url: string; width: number; seed: number } };
    expect(done.images).toEqual([]);
    expect(done.draft).toMatchObject({ url: expect.stringContaining(jobId), width: 64, seed: 9 });
    expect(t.studio.backend.preview(jobId)?.subarray(1, 4).toString()).toBe('PNG');
    expect((await call('history:list', { documentId: 'doc-live' })).ok && t.studio.history.count({ documentId: 'doc-live' })).toBe(0);
    expect(imageFiles()).toBe(before);
    // No step previews for drafts: only progress counts.
    const progress = t.events.filter((e) => e.event === 'generation:progress' && (e.payload as { jobId: string }).jobId === jobId);
    expect(progress.every((e) => !(e.payload as { previewUrl?: string }).previewUrl)).toBe(true);

    const kept = await call('generation:keepDraft', { jobId });
    expect(kept).toMatchObject({ ok: true, value: { width: 64, height: 64, seed: 9 } });
    const ref = (kept as { value: { imageId: string; historyEntryId: string } }).value;
    expect(t.studio.backend.images.has(ref.imageId)).toBe(true);
    const list = await call('history:list', { documentId: 'doc-live' });
    expect(list).toMatchObject({ ok: true, value: { total: 1, entries: [{ id: ref.historyEntryId, imageId: ref.imageId, origin: 'live', settings: { steps: 2, guidance: 1 } }] } });
  });

  it('a finish job is recorded as a normal job with the live origin; unknown or old drafts are one sentence', async () => {
    const { end } = await start({ live: 'finish', settings: { ...settings, steps: 6 } });
    expect(end.event).toBe('generation:done');
    const rows = t.studio.history.list({ documentId: 'doc-live' }).entries;
    expect(rows[0]).toMatchObject({ origin: 'live', settings: { steps: 6 } });
    expect(await call('generation:keepDraft', { jobId: 'job-0000000000000000' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no longer kept/) } });
    // Only the last few drafts stay in memory.
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await start({ live: 'draft', settings: { ...settings, seed: i } })).jobId);
    expect(t.studio.backend.preview(ids[0])).toBeUndefined();
    expect(t.studio.backend.preview(ids[5])).toBeDefined();
    expect((await call('generation:keepDraft', { jobId: 'not valid' })).ok).toBe(false);
  });

  it('a cancelled draft ends with one cancelled event and records nothing', async () => {
    const r = await call('generation:start', { modelId: 'sd15-tiny', settings: { ...settings, prompt: 'slow', steps: 20 }, documentId: 'doc-cancel', live: 'draft' });
    const { jobId } = (r as { value: { jobId: string } }).value;
    await new Promise((res) => setTimeout(res, 200));
    await call('generation:cancel', { jobId });
    const end = await waitForEnd(t.events, jobId);
    expect(end).toMatchObject({ event: 'generation:failed', payload: { code: 'cancelled' } });
    expect(t.studio.history.count({ documentId: 'doc-cancel' })).toBe(0);
  });
});
