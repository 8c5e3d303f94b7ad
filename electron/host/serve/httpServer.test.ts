import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { WebSocket } from 'ws';
import { testStudio } from '../../core/jobs/testing/testStudio.js';
import { ServeServer } from './httpServer.js';

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', body?: Buffer) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('serve transport', () => {
  let t: ReturnType<typeof testStudio>;
  let server: ServeServer;
  let port: number;
  const token = 'tok-' + 'x'.repeat(28);
  let cookie = { cookie: '' };

  beforeAll(async () => {
    t = testStudio();
    const renderer = mkdtempSync(join(tmpdir(), 'atelier-r-'));
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Atelier</title>');
    server = new ServeServer({ backend: t.studio.backend, rendererDir: renderer, token });
    port = await server.listen(0, '127.0.0.1');
    cookie = { cookie: `atelier_token_${port}=${token}` };
  });
  afterAll(async () => {
    await server.close();
    t.dispose();
  });

  it('needs the token; the page sets an HttpOnly same-site cookie and a strict CSP', async () => {
    expect((await get(port, '/')).status).toBe(403);
    expect((await get(port, '/?token=wrong')).status).toBe(403);
    const page = await get(port, `/?token=${token}`);
    expect(page.status).toBe(200);
    expect(String(page.headers['set-cookie'])).toBe(`atelier_token_${port}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    expect((await get(port, '/index.html', cookie)).status).toBe(200);
  });

  it('refuses foreign Host headers (DNS rebinding) and path traversal', async () => {
    expect((await get(port, `/?token=${token}`, { host: 'evil.example:80' })).status).toBe(421);
    expect((await get(port, '/../../etc/passwd', cookie)).status).toBe(404);
    expect((await get(port, '/images/..%2F..%2Fx.png', cookie)).status).toBe(404);
  });

  it('uploads by POST and serves the image by URL', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 4, background: '#00ff00' } }).png().toBuffer();
    expect((await get(port, '/upload', {}, 'POST', png)).status).toBe(403);
    const up = await get(port, '/upload', cookie, 'POST', png);
    const body = JSON.parse(up.body.toString()) as { ok: boolean; value: { imageId: string } };
    expect(body.ok).toBe(true);
    const img = await get(port, `/images/${body.value.imageId}.png`, cookie);
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.body.equals(png)).toBe(true);
    expect((await get(port, `/images/${body.value.imageId}.png`)).status).toBe(403);
    const bad = await get(port, '/upload', cookie, 'POST', Buffer.from('not an image'));
    expect(bad.status).toBe(400);
  });

  it('answers API calls over the WebSocket; refuses other origins and missing tokens', async () => {
    const refused = (headers: Record<string, string>) =>
      new Promise<boolean>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers });
        ws.on('open', () => { ws.close(); resolve(false); });
        ws.on('error', () => resolve(true));
      });
    expect(await refused({})).toBe(true);
    expect(await refused({ ...cookie, origin: 'http://evil.example' })).toBe(true);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers: { ...cookie, origin: `http://127.0.0.1:${port}` } });
    await new Promise((r) => ws.on('open', r));
    const reply = new Promise<{ id: number; ok: boolean; value: { models: { id: string }[] } }>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
    ws.send(JSON.stringify({ id: 7, channel: 'models:list', payload: {} }));
    const msg = await reply;
    expect(msg.id).toBe(7);
    expect(msg.value.models.map((m) => m.id)).toContain('sd15-tiny');
    const bad = new Promise<{ ok: boolean; error: { code: string } }>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
    ws.send(JSON.stringify({ id: 8, channel: 'documents:open', payload: { name: '../x' } }));
    expect(await bad).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    ws.close();
  });
});
