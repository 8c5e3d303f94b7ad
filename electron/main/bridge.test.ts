import { EventEmitter } from 'node:events';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, API_CHANNELS, API_EVENT_NAMES, API_EVENT_TABLE, type AtelierApi } from '../contract/api.js';
import { bridgeTransport, deriveBridge, type ApiBridge } from '../contract/bridge.js';
import { ApiError } from '../contract/channel.js';
import { createApiClient } from '../contract/client.js';
import type { InvokeResult } from '../core/jobs/apiHandlers.js';
import { TEST_MODELS, testStudio, waitForEnd } from '../core/jobs/testing/testStudio.js';
import { EventSubscriptions } from '../core/jobs/eventSubscriptions.js';
import { dropSubscriptionsWithPage, registerIpc, type InvokeEventLike } from './ipc.js';

/**
 * The Electron transport end to end, without Electron: the renderer's client (derived from the table)
 * → the preload bridge (derived) → an in-memory ipcMain/ipcRenderer pair → registerIpc → the real studio.
 */
const ourWindow = { id: 1 };
const frame: InvokeEventLike = { sender: ourWindow, senderFrame: { url: 'file:///app/index.html', parent: null } };

describe('the derived Electron bridge', () => {
  let t: ReturnType<typeof testStudio>;
  let bridge: ApiBridge;
  let api: AtelierApi;
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const ons = new Map<string, (e: InvokeEventLike, arg: unknown) => void>();
  // Main's rule (electron/main/index.ts): an event goes only to the windows subscribed to it.
  const subscriptions = new EventSubscriptions<unknown>();

  beforeAll(() => {
    t = testStudio(undefined, (event, payload) => subscriptions.publish(event, () => listeners.get(event)?.forEach((l) => l(payload))));
    const handles = new Map<string, (e: InvokeEventLike, payload: unknown, requestId?: unknown) => Promise<InvokeResult>>();
    registerIpc({ handle: (c, l) => void handles.set(c, l), on: (c, l) => void ons.set(c, l) }, t.studio.backend.handlers, (sender) => sender === ourWindow, subscriptions);
    bridge = deriveBridge({
      invoke: (channel, request, requestId) => handles.get(channel)!(frame, request, requestId),
      cancel: (requestId) => ons.get('api:cancel')!(frame, requestId),
      subscribe: (event) => ons.get('api:subscribe')!(frame, event),
      unsubscribe: (event) => ons.get('api:unsubscribe')!(frame, event),
      on: (event, listener) => {
        const set = listeners.get(event) ?? new Set();
        listeners.set(event, set.add(listener));
        return () => void set.delete(listener);
      },
    });
    api = createApiClient(bridgeTransport(bridge));
  });
  afterAll(() => t.dispose());

  it('has one named function per channel and event, on the bridge and on the client, and nothing generic', () => {
    const names = [...API_CHANNELS.map((c) => API[c].method), ...API_EVENT_NAMES.map((e) => API_EVENT_TABLE[e].subscribe)];
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(bridge).sort()).toEqual([...names, 'cancelRequest'].sort());
    for (const name of names) expect(typeof (api as unknown as Record<string, unknown>)[name], name).toBe('function');
    expect(api.imageUrl('a'.repeat(64))).toBe(`atelier://images/${'a'.repeat(64)}.png`);
  });

  it('maps positional arguments onto the request and unwraps the result', async () => {
    expect(await api.tokenize('sd15-tiny', 'a red fox')).toEqual({ tokenCount: 3, maxTokens: 75, chunks: 1 });
    expect((await api.listModels()).models.map((m) => m.id)).toContain('sd15-tiny');
  });

  it('throws the envelope\'s error as an ApiError with its code', async () => {
    const err = await api.openDocument('../escape').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/^Invalid documents:open request/) });
  });

  it('main sends a window only the events it subscribed to: the first listener subscribes, the last one gone unsubscribes', () => {
    const delivered = (event: 'generation:done' | 'generation:progress') => {
      const to: unknown[] = [];
      subscriptions.publish(event, (window) => void to.push(window));
      return to;
    };
    expect(delivered('generation:done')).toEqual([]);
    const offA = api.onGenerationDone(() => undefined);
    const offB = api.onGenerationDone(() => undefined);
    expect(delivered('generation:done')).toEqual([ourWindow]);
    expect(delivered('generation:progress')).toEqual([]);
    offA();
    offA();
    expect(delivered('generation:done')).toEqual([ourWindow]);
    offB();
    expect(delivered('generation:done')).toEqual([]);
    // Other senders and names that are not events subscribe nothing.
    ons.get('api:subscribe')!({ sender: { id: 2 }, senderFrame: frame.senderFrame }, 'generation:done');
    ons.get('api:subscribe')!(frame, 'not:an-event');
    expect(delivered('generation:done')).toEqual([]);
  });

  it('a reload, navigation, crash or close of the page drops its subscriptions; a hash change keeps them', () => {
    const page = new EventEmitter();
    const subs = new EventSubscriptions<EventEmitter>();
    dropSubscriptionsWithPage(page, subs);
    const subscribed = () => {
      let n = 0;
      subs.publish('generation:done', () => void n++);
      return n;
    };
    subs.subscribe(page, 'generation:done');
    page.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true });
    page.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false }); // an iframe
    expect(subscribed()).toBe(1);
    page.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false }); // reload
    expect(subscribed()).toBe(0);
    for (const end of ['render-process-gone', 'destroyed']) {
      subs.subscribe(page, 'generation:done');
      expect(subscribed()).toBe(1);
      page.emit(end);
      expect(subscribed()).toBe(0);
    }
  });

  it('delivers events to subscribers until they unsubscribe', async () => {
    const done: string[] = [];
    const off = api.onGenerationDone((e) => void done.push(e.jobId));
    const settings = { mode: 'txt2img' as const, prompt: 'a cat', width: 64, height: 64, steps: 2, guidance: 7, scheduler: 'euler' as const, seed: 1 };
    const first = await api.startGeneration({ modelId: 'sd15-tiny', settings });
    await waitForEnd(t.events, first.jobId);
    off();
    const second = await api.startGeneration({ modelId: 'sd15-tiny', settings });
    await waitForEnd(t.events, second.jobId);
    expect(done).toEqual([first.jobId]);
  });

  it('cancels exactly the request whose signal aborts; others on the same window carry on', async () => {
    const settings = { mode: 'txt2img' as const, prompt: 'slow', width: 64, height: 64, steps: 30, guidance: 7, scheduler: 'euler' as const, seed: 1 };
    const { jobId } = await api.startGeneration({ modelId: 'sd15-tiny', settings });
    // A model inspect waits behind the running job, so this request is still in flight when it is cancelled.
    const controller = new AbortController();
    const started = Date.now();
    const folder = join(t.dataDir, 'to-import');
    cpSync(join(TEST_MODELS, 'sd15-inpaint-tiny'), folder, { recursive: true });
    const imported = api.withSignal(controller.signal).importModelFolder(folder).catch((e: unknown) => e);
    const other = api.listDocuments();
    setTimeout(() => controller.abort(), 50);
    expect(await imported).toMatchObject({ code: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await other).toEqual({ documents: [] });
    expect(await api.cancelGeneration(jobId)).toEqual({ cancelled: true });
  });
});
