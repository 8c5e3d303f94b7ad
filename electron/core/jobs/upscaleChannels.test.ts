import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeChannel } from './apiHandlers.js';
import { REAL_ENGINE, testStudio, waitForEnd } from './testing/testStudio.js';
import { readRgba } from '../image/io.js';

const settings = { mode: 'txt2img', prompt: 'a cat', negativePrompt: '', width: 64, height: 64, steps: 2, guidance: 1, scheduler: 'euler', seed: 5, batch: 1, strength: 0.3, maskFeather: 4 };

describe('upscale channels: jobs on the engine queue', () => {
  let t: ReturnType<typeof testStudio>;
  let imageId: string;
  beforeAll(async () => {
    t = testStudio(REAL_ENGINE);
    const png = await sharp({ create: { width: 37, height: 21, channels: 4, background: '#336699' } }).png().toBuffer();
    imageId = (await t.studio.backend.handlers['images:put']({ bytes: new Uint8Array(png) })).imageId;
  });
  afterAll(() => t.dispose());
  const call = (channel: unknown, payload: unknown) => invokeChannel(t.studio.backend.handlers, channel, payload);
  const jobOf = (r: Awaited<ReturnType<typeof call>>) => (r as { value: { jobId: string } }).value.jobId;

  it('lists the upscalers beside the SD models (not among them)', async () => {
    const r = await call('upscale:list', {});
    expect(r).toMatchObject({ ok: true, value: { upscalers: expect.arrayContaining([{ id: 'upscale-linear-x4', label: 'upscale-linear-x4' }]) } });
    const models = await call('models:list', {});
    expect(JSON.stringify(models)).not.toContain('upscale-');
    // A folder with one model.onnx is not an upscaler unless upscaler.json says so (the safety checker has one).
    expect(JSON.stringify(r)).not.toContain('safety');
  });

  it('queues behind a generation, reports tiles, and stores the exact 4× result', async () => {
    const gen = jobOf(await call('generation:start', { modelId: 'sd15-tiny', settings }));
    const up = jobOf(await call('upscale:start', { imageId, upscalerId: 'upscale-linear-x4' }));
    const upEnd = await waitForEnd(t.events, up);
    expect(upEnd.event).toBe('upscale:done');
    expect((await waitForEnd(t.events, gen)).event).toBe('generation:done');
    // One queue: the upscale's first tile comes after the generation's last step.
    const progressOf = (id: string) => t.events.flatMap((e, i) => (e.event === 'generation:progress' && (e.payload as { jobId: string }).jobId === id ? [i] : []));
    expect(progressOf(up)[0]).toBeGreaterThan(progressOf(gen).at(-1)!);
    const done = upEnd.payload as { imageId: string; width: number; height: number };
    expect([done.width, done.height]).toEqual([148, 84]);
    const img = await readRgba(await t.studio.backend.images.read(done.imageId));
    expect([img.width, img.height]).toEqual([148, 84]);
    expect(Array.from(img.data.subarray(0, 4))).toEqual([0x33, 0x66, 0x99, 255]);
  });

  it('refines with an SD model when asked', async () => {
    const up = jobOf(await call('upscale:start', { imageId, upscalerId: 'upscale-linear-x4', scale: 4, refine: { modelId: 'sd15-tiny', settings } }));
    const end = await waitForEnd(t.events, up);
    expect(end.event).toBe('upscale:done');
    expect(end.payload).toMatchObject({ width: 148, height: 84, refinedTiles: 2 });
  });

  it('bad requests: one sentence, before or during the job', async () => {
    expect(await call('upscale:start', { imageId, upscalerId: 'nope' })).toMatchObject({ ok: false, error: { message: 'There is no upscaler named "nope".' } });
    expect((await call('upscale:start', { imageId: 'x', upscalerId: 'upscale-linear-x4' })).ok).toBe(false);
    expect(await call('upscale:start', { imageId, upscalerId: 'upscale-linear-x4', refine: { modelId: 'nope', settings } })).toMatchObject({ ok: false, error: { message: 'There is no model named "nope".' } });
    const tooBig = jobOf(await call('upscale:start', { imageId, upscalerId: 'upscale-shuffle-x2', scale: 3 }));
    expect((await waitForEnd(t.events, tooBig)).payload).toMatchObject({ message: 'this upscaler enlarges ×2; the factor must be more than 0 and at most 2 (got 3)', code: 'invalid-input' });
  });

  it('cancels by job id like a generation', async () => {
    const png = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#884422' } }).png().toBuffer();
    const big = (await t.studio.backend.handlers['images:put']({ bytes: new Uint8Array(png) })).imageId;
    const up = jobOf(await call('upscale:start', { imageId: big, upscalerId: 'upscale-linear-x4' }));
    await new Promise<void>((resolve) => {
      const check = () => (t.events.some((e) => e.event === 'generation:progress' && (e.payload as { jobId: string }).jobId === up) ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(await call('generation:cancel', { jobId: up })).toEqual({ ok: true, value: { cancelled: true } });
    expect((await waitForEnd(t.events, up)).payload).toMatchObject({ code: 'cancelled', message: 'Upscale cancelled.' });
  });
});
