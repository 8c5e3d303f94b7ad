import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CHANNELS } from '../contract/api.js';
import type { InvokeResult } from '../core/jobs/apiHandlers.js';
import { testStudio } from '../core/jobs/testing/testStudio.js';
import { registerIpc, type InvokeEventLike } from './ipc.js';
import { isOwnRendererUrl } from './senderPolicy.js';

const OWN = 'file:///opt/Atelier/resources/app.asar/out/renderer/index.html';

describe('IPC wrapper', () => {
  let t: ReturnType<typeof testStudio>;
  const registered = new Map<string, (e: InvokeEventLike, p: unknown) => Promise<InvokeResult>>();
  const ourWindow = { id: 1 };
  beforeAll(() => {
    t = testStudio();
    registerIpc({ handle: (c, l) => void registered.set(c, l) }, t.studio.backend.handlers, (sender, url) => sender === ourWindow && isOwnRendererUrl(url, OWN));
  });
  afterAll(() => t.dispose());

  it('registers exactly the contract channels', () => {
    expect([...registered.keys()].sort()).toEqual([...API_CHANNELS].sort());
  });

  it('refuses other senders, subframes and foreign pages before parsing anything', async () => {
    const call = registered.get('models:list')!;
    const forbidden = { ok: false, error: { code: 'forbidden' } };
    expect(await call({ sender: { id: 2 }, senderFrame: { url: OWN, parent: null } }, {})).toMatchObject(forbidden);
    expect(await call({ sender: ourWindow, senderFrame: { url: OWN, parent: {} } }, {})).toMatchObject(forbidden);
    expect(await call({ sender: ourWindow, senderFrame: { url: 'https://evil.example/', parent: null } }, {})).toMatchObject(forbidden);
    expect(await call({ sender: ourWindow, senderFrame: null }, {})).toMatchObject(forbidden);
    expect(await call({ sender: ourWindow, senderFrame: { url: OWN, parent: null } }, {})).toMatchObject({ ok: true });
  });

  it('validates payloads of trusted senders with the contract schemas', async () => {
    const ok = { sender: ourWindow, senderFrame: { url: OWN, parent: null } };
    for (const [channel, call] of registered) {
      const r = await call(ok, 'not an object');
      expect(r.ok, channel).toBe(false);
    }
  });

  it('knows our renderer URL', () => {
    expect(isOwnRendererUrl(OWN, OWN)).toBe(true);
    expect(isOwnRendererUrl('file:///tmp/evil.html', OWN)).toBe(false);
    expect(isOwnRendererUrl('http://localhost:5173/x', 'http://localhost:5173/')).toBe(true);
    expect(isOwnRendererUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isOwnRendererUrl(undefined, OWN)).toBe(false);
  });
});

describe('dev URL and external links', () => {
  it('honours ELECTRON_RENDERER_URL only unpackaged and on loopback', async () => {
    const { devRendererUrl } = await import('./senderPolicy.js');
    expect(devRendererUrl('http://localhost:5173/', false)).toBe('http://localhost:5173/');
    expect(devRendererUrl('http://localhost:5173/', true)).toBeUndefined();
    expect(devRendererUrl('https://evil.example/', false)).toBeUndefined();
    expect(devRendererUrl('file:///tmp/x.html', false)).toBeUndefined();
  });

  it('opens only https links to known sites', async () => {
    const { isAllowedExternalUrl } = await import('./senderPolicy.js');
    expect(isAllowedExternalUrl('https://huggingface.co/stabilityai/sd-turbo')).toBe(true);
    expect(isAllowedExternalUrl('http://huggingface.co/x')).toBe(false);
    expect(isAllowedExternalUrl('https://huggingface.co.evil.example/x')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@github.com/')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
  });
});
