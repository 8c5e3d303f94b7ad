import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receiveBodyToFile, refuseTooLarge } from './requestBody.js';

/** A body without a Content-Length (chunked) is cut off at the cap, its partial file removed. */
describe('receiveBodyToFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-body-'));
  let server: Server;
  let port = 0;
  let n = 0;
  const files: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const file = join(dir, `body-${n++}`);
      files.push(file);
      void receiveBodyToFile(req, file, 1000).then((outcome) => {
        if (outcome === 'too-large') return refuseTooLarge(res, 'too large');
        res.end(String(readFileSync(file).length));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (chunks: Buffer[]) =>
    new Promise<{ status: number; body: string }>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', () => resolve({ status: -1, body: '' }));
      for (const c of chunks) req.write(c);
      req.end();
    });

  it('keeps a body within the cap', async () => {
    expect(await post([Buffer.alloc(600), Buffer.alloc(400)])).toEqual({ status: 200, body: '1000' });
  });

  it('cuts a chunked body off at the cap and removes what was written', async () => {
    const r = await post([Buffer.alloc(600), Buffer.alloc(600), Buffer.alloc(600)]);
    expect([413, -1]).toContain(r.status);
    await new Promise((res) => setTimeout(res, 50));
    expect(existsSync(files.at(-1)!)).toBe(false);
  });
});
