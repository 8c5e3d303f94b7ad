import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { closeCode, frame, rawWebSocket, ServeUnderTest, type ApiClient } from './serveProbe.js';

/**
 * Security suite, part 1: what a client sends (bad WebSocket frames, bad URL escapes) and a failing disk
 * read never take `serve` down. Each probe runs while a real generation (tiny model, real engine) is
 * under way; afterwards the server still answers and that generation completes.
 */

let serve: ServeUnderTest;
let client: ApiClient;

beforeAll(async () => {
  serve = await ServeUnderTest.start();
  client = await serve.api();
  // Warm up: the model is loaded before the first probe, so probes time the server, not the load.
  expect(await client.ended(await client.startGeneration(2))).toBe('generation:done');
});
afterAll(async () => {
  client?.close();
  await serve?.stop();
});

async function underGeneration(attack: () => Promise<void>): Promise<void> {
  const jobId = await client.startGeneration();
  await attack();
  expect(serve.alive, `serve exited:\n${serve.log}`).toBe(true);
  expect((await serve.http('/index.html')).status).toBe(200);
  expect(await client.ended(jobId)).toBe('generation:done');
}

describe('WebSocket frames end their own connection with a close code, never the server', () => {
  it.each([
    ['a 40 MiB message', 1009, () => frame(1, Buffer.alloc(40 * 1024 * 1024, 0x61))],
    ['a frame declaring 2^40 bytes', 1009, () => frame(2, Buffer.alloc(16), { declaredLength: 2n ** 40n })],
    ['invalid UTF-8 in a text frame', 1007, () => frame(1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
    ['an unmasked client frame', 1002, () => frame(1, Buffer.from('{"id":1}'), { mask: false })],
    ['reserved opcode 3', 1002, () => frame(3, Buffer.from('x'))],
  ])('%s → close %i', async (_name, code, make) => {
    await underGeneration(async () => {
      const socket = await rawWebSocket(serve.port, serve.cookie);
      const closed = closeCode(socket);
      socket.write(make());
      expect(await closed).toBe(code);
    });
  });

  it('a client that resets mid-handshake or sends garbage JSON changes nothing', async () => {
    await underGeneration(async () => {
      const socket = await rawWebSocket(serve.port, serve.cookie);
      socket.write(frame(1, Buffer.from('not json')));
      socket.write(frame(1, Buffer.from('{"id":"x","channel":{}}')));
      socket.resetAndDestroy();
    });
  });
});

describe('URLs and file reads', () => {
  it('a malformed %-escape answers 400', async () => {
    await underGeneration(async () => {
      expect((await serve.http('/%E0%A4%A')).status).toBe(400);
      expect((await serve.http('/exports/%zz')).status).toBe(400);
    });
  });

  it('an image replaced by a folder or deleted before the read answers 404', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 4, background: '#00ff00' } }).png().toBuffer();
    const up = await serve.http('/upload', { method: 'POST', body: png });
    const { imageId } = (JSON.parse(up.body.toString()) as { value: { imageId: string } }).value;
    const file = join(serve.dataDir, 'images', imageId.slice(0, 2), `${imageId}.png`);
    await underGeneration(async () => {
      rmSync(file);
      mkdirSync(file);
      expect((await serve.http(`/images/${imageId}.png`)).status).toBe(404);
      rmSync(file, { recursive: true });
      expect((await serve.http(`/images/${imageId}.png`)).status).toBe(404);
    });
  });
});

describe('two serve instances on one machine', () => {
  it("the second instance's cookie does not clobber the first's (a browser's jar ignores ports)", async () => {
    const second = await ServeUnderTest.start();
    try {
      // A browser keeps one cookie per name, domain and path, whatever the port.
      const jar = new Map<string, string>();
      for (const s of [serve, second]) {
        const page = await s.http(`/?token=${s.token}`, { auth: false });
        expect(page.status).toBe(200);
        const [pair] = String(page.headers['set-cookie']).split(';');
        const [name, ...value] = pair.split('=');
        expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
        jar.set(name, value.join('='));
      }
      expect(jar.size).toBe(2);
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      for (const s of [serve, second]) expect((await s.http('/index.html', { auth: false, headers: { cookie } })).status).toBe(200);
      // Each instance's token opens only its own door.
      expect((await second.http('/index.html', { auth: false, headers: { cookie: `atelier_token_${second.port}=${serve.token}` } })).status).toBe(403);
    } finally {
      await second.stop();
    }
  });
});
