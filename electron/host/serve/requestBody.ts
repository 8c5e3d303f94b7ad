import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Request bodies for serve's uploads: streamed to a file, never held in memory. A declared
 * Content-Length over the cap is refused before a byte is read; a body without one (chunked) or one
 * that runs past its declaration is cut off at the cap, and the partial file removed.
 */

export type BodyOutcome = 'ok' | 'too-large';

export function receiveBodyToFile(req: IncomingMessage, file: string, maxBytes: number): Promise<BodyOutcome> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve('too-large');
  return new Promise<BodyOutcome>((resolve, reject) => {
    const out = createWriteStream(file, { flags: 'wx' });
    let size = 0;
    let settled = false;
    const fail = (outcome: BodyOutcome | Error) => {
      if (settled) return;
      settled = true;
      req.unpipe(out);
      out.destroy();
      void rm(file, { force: true }).then(() => (outcome instanceof Error ? reject(outcome) : resolve(outcome)));
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) fail('too-large');
    });
    req.on('error', (e) => fail(e));
    req.on('aborted', () => fail(new Error('the upload was interrupted')));
    out.on('error', (e) => fail(e));
    out.on('finish', () => {
      if (settled) return;
      settled = true;
      resolve('ok');
    });
    req.pipe(out);
  });
}

/**
 * 413 with one sentence, then the connection is closed once the answer is out, so a client still
 * sending is not read any further.
 */
export function refuseTooLarge(res: ServerResponse, message: string): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ ok: false, error: { message, code: 'too-large' } });
  res.writeHead(413, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
  res.end(body, () => res.socket?.destroySoon());
}
