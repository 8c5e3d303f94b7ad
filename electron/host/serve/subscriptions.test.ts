import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { TEST_MODELS, testStudio, waitForEnd } from '../../core/jobs/testing/testStudio.js';
import { ServeServer } from './httpServer.js';

/** serve's WebSocket: events only to the sockets that subscribed to them; a cancel names one request. */
describe('serve subscriptions and per-request cancel', () => {
  let t: ReturnType<typeof testStudio>;
  let server: ServeServer;
  let port: number;
  const token = 'tok-' + 'y'.repeat(28);

  beforeAll(async () => {
    t = testStudio(undefined, (event, payload) => server?.publish(event, payload));
    const renderer = mkdtempSync(join(tmpdir(), 'atelier-r-'));
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Atelier</title>');
    server = new ServeServer({ backend: t.studio.backend, rendererDir: renderer, token });
    port = await server.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await server.close();
    t.dispose();
  });

  async function socket(): Promise<{ ws: WebSocket; messages: Record<string, unknown>[] }> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers: { cookie: `atelier_token_${port}=${token}` } });
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Record<string, unknown>));
    await new Promise((r) => ws.once('open', r));
    return { ws, messages };
  }
  const reply = async (messages: Record<string, unknown>[], id: number) => {
    for (let i = 0; i < 500; i++) {
      const m = messages.find((x) => x.id === id);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no reply to ${id}`);
  };

  it('sends an event only to the sockets subscribed to it, until they unsubscribe', async () => {
    const watcher = await socket();
    const quiet = await socket();
    watcher.ws.send(JSON.stringify({ subscribe: 'generation:done' }));
    const settings = { mode: 'txt2img', prompt: 'a cat', width: 64, height: 64, steps: 2, guidance: 7, scheduler: 'euler', seed: 1 };
    quiet.ws.send(JSON.stringify({ id: 1, channel: 'generation:start', payload: { modelId: 'sd15-tiny', settings } }));
    const { value } = (await reply(quiet.messages, 1)) as { value: { jobId: string } };
    await waitForEnd(t.events, value.jobId);
    await new Promise((r) => setTimeout(r, 100));
    expect(watcher.messages).toEqual([{ event: 'generation:done', payload: expect.objectContaining({ jobId: value.jobId }) }]);
    // The starter asked for no events: it got its reply and nothing else (no progress, no done).
    expect(quiet.messages).toEqual([expect.objectContaining({ id: 1, ok: true })]);

    watcher.ws.send(JSON.stringify({ unsubscribe: 'generation:done' }));
    watcher.ws.send(JSON.stringify({ subscribe: 'not:an-event' }));
    quiet.ws.send(JSON.stringify({ id: 2, channel: 'generation:start', payload: { modelId: 'sd15-tiny', settings } }));
    const second = (await reply(quiet.messages, 2)) as { value: { jobId: string } };
    await waitForEnd(t.events, second.value.jobId);
    await new Promise((r) => setTimeout(r, 100));
    expect(watcher.messages).toHaveLength(1);
    watcher.ws.close();
    quiet.ws.close();
  });

  it('a cancel answers that request at once with code cancelled; the socket goes on serving', async () => {
    const client = await socket();
    const settings = { mode: 'txt2img', prompt: 'slow', width: 64, height: 64, steps: 30, guidance: 7, scheduler: 'euler', seed: 1 };
    client.ws.send(JSON.stringify({ id: 1, channel: 'generation:start', payload: { modelId: 'sd15-tiny', settings } }));
    const { value } = (await reply(client.messages, 1)) as { value: { jobId: string } };
    const folder = join(t.dataDir, 'to-import');
    cpSync(join(TEST_MODELS, 'sd15-inpaint-tiny'), folder, { recursive: true });
    // models:import waits behind the running job (its inspect is queued), so it is in flight when cancelled.
    client.ws.send(JSON.stringify({ id: 2, channel: 'models:import', payload: { dir: folder } }));
    client.ws.send(JSON.stringify({ cancel: 2 }));
    expect(await reply(client.messages, 2)).toEqual({ id: 2, ok: false, error: { message: 'Cancelled.', code: 'cancelled' } });
    client.ws.send(JSON.stringify({ id: 3, channel: 'generation:cancel', payload: { jobId: value.jobId } }));
    expect(await reply(client.messages, 3)).toMatchObject({ ok: true, value: { cancelled: true } });
    client.ws.close();
  });
});
