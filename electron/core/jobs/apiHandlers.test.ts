import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { API_CHANNELS } from '../../contract/api.js';
import { invokeChannel } from './apiHandlers.js';
import { testStudio, waitForEnd } from './testing/testStudio.js';

const settings = { mode: 'txt2img', prompt: 'a cat', negativePrompt: '', width: 64, height: 64, steps: 2, guidance: 7, scheduler: 'euler', seed: 5, batch: 1, strength: 1, maskFeather: 4 };

describe('invokeChannel: the one wrapper every transport uses', () => {
  let t: ReturnType<typeof testStudio>;
  beforeAll(() => (t = testStudio()));
  afterAll(() => t.dispose());
  const call = (channel: unknown, payload: unknown) => invokeChannel(t.studio.backend.handlers, channel, payload);

  it('refuses undeclared channels', async () => {
    for (const c of ['nope', 'constructor', '__proto__', 42, undefined]) {
      const r = await call(c, {});
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid-channel' } });
    }
  });

  it('refuses a malformed payload on every channel with a one-line message', async () => {
    for (const channel of API_CHANNELS) {
      const r = await call(channel, { unexpected: { deeply: ['x'] } });
      expect(r.ok, channel).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('invalid-input');
        expect(r.error.message).toMatch(new RegExp(`^Invalid ${channel} request`));
        expect(r.error.message).not.toContain('\n');
      }
    }
  });

  it('refuses path tricks in names and ids before touching files', async () => {
    for (const name of ['../evil', 'a/b', '.hidden', 'c:\\x', '']) {
      expect((await call('documents:open', { name })).ok).toBe(false);
    }
    expect((await call('export:document', { name: '../x', format: 'psd', document: {} })).ok).toBe(false);
    expect((await call('export:document', { name: 'x', format: 'exe', document: {} })).ok).toBe(false);
    expect((await call('generation:start', { modelId: 'sd15-tiny', settings: { ...settings, width: 65 } })).ok).toBe(false);
    expect((await call('generation:cancel', { jobId: 'a b' })).ok).toBe(false);
  });

  it('answers a valid request: models, tokens, uploads, an unknown model, a bad image', async () => {
    const models = await call('models:list', {});
    expect(models.ok && (models.value as { models: { id: string }[] }).models.map((m) => m.id)).toContain('sd15-tiny');
    const tokens = await call('prompt:tokenize', { modelId: 'sd15-tiny', text: 'a red fox' });
    expect(tokens).toEqual({ ok: true, value: { tokenCount: 3, maxTokens: 75, chunks: 1 } });
    const png = await sharp({ create: { width: 8, height: 4, channels: 4, background: '#ff0000' } }).jpeg().toBuffer();
    const put = await call('images:put', { bytes: new Uint8Array(png) });
    expect(put).toMatchObject({ ok: true, value: { width: 8, height: 4 } });
    expect(await call('images:put', { bytes: new Uint8Array([1, 2, 3, 4]) })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not an image/) } });
    expect(await call('generation:start', { modelId: 'nope', settings })).toMatchObject({ ok: false, error: { message: 'There is no model named "nope".' } });
    expect(await call('documents:open', { name: 'missing' })).toMatchObject({ ok: false });
  });

  it('lists, saves and deletes style presets; a shipped one cannot be deleted', async () => {
    const listed = await call('styles:list', {});
    expect(listed.ok && (listed.value as { styles: { name: string; builtIn: boolean }[] }).styles).toContainEqual(expect.objectContaining({ name: 'Cinematic', builtIn: true }));
    expect(await call('styles:save', { style: { name: 'Moody', prompt: '{prompt}, moody', steps: 12 } })).toEqual({ ok: true, value: { style: { name: 'Moody', prompt: '{prompt}, moody', negativePrompt: '', steps: 12 } } });
    expect(await call('styles:save', { style: { name: 'Bad', prompt: 'x', steps: 0 } })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await call('styles:delete', { name: 'cinematic' })).toEqual({ ok: true, value: { deleted: false } });
    expect(await call('styles:delete', { name: 'moody' })).toEqual({ ok: true, value: { deleted: true } });
  });

  it('imports picked file bytes by extension; damaged files fail naming the user\'s file', async () => {
    const png = await sharp({ create: { width: 16, height: 8, channels: 4, background: '#0000ff' } }).png().toBuffer();
    const r = await call('documents:import', { fileName: 'holiday.png', bytes: new Uint8Array(png) });
    expect(r).toMatchObject({ ok: true, value: { document: { name: 'holiday', layers: [{ kind: 'raster', width: 16, height: 8 }] } } });
    const id = (r as { value: { document: { layers: { imageId: string }[] } } }).value.document.layers[0].imageId;
    expect(t.studio.backend.images.has(id)).toBe(true);
    const bad = await call('documents:import', { fileName: 'scan.psd', bytes: new Uint8Array([1, 2, 3]) });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.message).toContain('scan.psd');
      expect(bad.error.message).not.toContain('import-');
    }
    expect((await call('documents:import', { fileName: 'x.exe', bytes: new Uint8Array([1]) })).ok).toBe(false);
  });

  it('runs a job to exactly one done event, stores the PNG and a history row', async () => {
    const r = await call('generation:start', { modelId: 'sd15-tiny', settings, documentId: 'doc-1' });
    expect(r.ok).toBe(true);
    const { jobId } = (r as { value: { jobId: string } }).value;
    const end = await waitForEnd(t.events, jobId);
    expect(end.event).toBe('generation:done');
    const done = end.payload as { images: { imageId: string; width: number }[] };
    expect(done.images[0].width).toBe(64);
    expect(t.studio.backend.images.has(done.images[0].imageId)).toBe(true);
    const progress = t.events.filter((e) => e.event === 'generation:progress' && (e.payload as { jobId: string }).jobId === jobId);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(t.events.filter((e) => e.event !== 'generation:progress' && (e.payload as { jobId: string }).jobId === jobId)).toHaveLength(1);
    const history = await call('history:list', { documentId: 'doc-1' });
    expect(history).toMatchObject({ ok: true, value: { total: 1, entries: [{ imageId: done.images[0].imageId, seed: 5 }] } });
    // The stored entry keeps the phase timings and the model files' fingerprint, as CLI entries do.
    const stored = t.studio.history.list({ documentId: 'doc-1' }).entries[0]!;
    expect(stored.model.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(stored.timings?.totalMs).toBeGreaterThan(0);
  });

  it('an engine crash fails the job with a clear message and the next job runs', async () => {
    const crash = await call('generation:start', { modelId: 'sd15-tiny', settings: { ...settings, prompt: 'crash now' } });
    const end = await waitForEnd(t.events, (crash as { value: { jobId: string } }).value.jobId);
    expect(end.event).toBe('generation:failed');
    expect((end.payload as { message: string }).message).toMatch(/engine stopped unexpectedly.*restarted/);
    const next = await call('generation:start', { modelId: 'sd15-tiny', settings });
    expect((await waitForEnd(t.events, (next as { value: { jobId: string } }).value.jobId)).event).toBe('generation:done');
  });
});
