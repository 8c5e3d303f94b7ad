import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename, extname, join, normalize, sep } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { invokeChannel } from '../../core/jobs/apiHandlers.js';
import { describe, type StudioBackend } from '../../core/jobs/studioBackend.js';
import { API_REQUESTS } from '../../contract/api.js';
import { receiveBodyToFile, refuseTooLarge } from './requestBody.js';

/**
 * serve mode's transport: the built renderer, images and previews over HTTP, the API over one
 * WebSocket (`/api`), uploads by POST. Every request needs the access token: from the printed URL
 * once, then an HttpOnly same-site cookie. Host and Origin are checked (DNS rebinding, cross-site WS).
 */

/**
 * The cookie is named per instance (its port): cookies are not separated by port, so two serves on one
 * machine would otherwise overwrite each other's token. SameSite=Strict, HttpOnly.
 */
export const cookieName = (port: number): string => `atelier_token_${port}`;
const MAX_UPLOAD = 256 * 1024 * 1024;
const MAX_IMPORT = 2 ** 31;
const IMPORT_NAME = API_REQUESTS['documents:import'].shape.fileName;
/** API messages are small JSON (pixels travel by POST and URL); documents with many layers stay far below this. */
export const MAX_WS_MESSAGE = 32 * 1024 * 1024;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json', '.ico': 'image/x-icon',
};

export interface ServeServerOptions {
  backend: StudioBackend;
  rendererDir: string;
  token: string;
  /** Host names accepted in the Host header besides 127.0.0.1/localhost (from --host); '*' accepts any (a wildcard bind). */
  extraHosts?: string[];
}

export class ServeServer {
  readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<WebSocket>();
  private port = 0;

  constructor(private readonly opts: ServeServerOptions) {
    this.http = createServer((req, res) => {
      // A malformed %-escape is the client's mistake (400), not ours; anything else is one line, and the
      // server goes on answering others either way.
      this.route(req, res).catch((e: unknown) =>
        e instanceof URIError ? send(res, 400, 'text/plain', 'malformed URL escape') : send(res, 500, 'text/plain', `error: ${(e as Error).message}`),
      );
    });
    // ws closes an over-long message with 1009 (and a protocol error with 1002/1007) on its own; the
    // 'error' listener in attach() is what keeps that from becoming an uncaught exception.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE });
    this.wss.on('error', () => undefined);
    this.http.on('upgrade', (req, socket, head) => {
      socket.on('error', () => socket.destroy());
      if (!this.allowed(req) || new URL(req.url ?? '/', 'http://x').pathname !== '/api' || !this.sameOrigin(req)) {
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
    });
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve());
    });
    const addr = this.http.address();
    this.port = typeof addr === 'object' && addr ? addr.port : port;
    return this.port;
  }

  /** Pushes an event to every connected client. */
  broadcast(event: string, payload: unknown): void {
    const text = JSON.stringify({ event, payload });
    for (const ws of this.clients) if (ws.readyState === ws.OPEN) ws.send(text);
  }

  async close(): Promise<void> {
    for (const ws of this.clients) ws.terminate();
    this.wss.close();
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  private attach(ws: WebSocket): void {
    this.clients.add(ws);
    ws.on('close', () => this.clients.delete(ws));
    // A bad frame (too long, invalid UTF-8, unmasked, unknown opcode) ends this connection only: ws has
    // already sent the close frame with its code (1009, 1007, 1002) when it emits 'error'.
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: { id?: unknown; channel?: unknown; payload?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      if (typeof msg.id !== 'number') return;
      const id = msg.id;
      void invokeChannel(this.opts.backend.handlers, msg.channel, msg.payload).then((r) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, ...r }));
      });
    });
  }

  /** A POST body through a temp file (bounded while streaming), then as bytes; undefined when over the limit. */
  private async receiveBytes(req: IncomingMessage, name: string, limit: number): Promise<Uint8Array | undefined> {
    const tmp = await this.opts.backend.importTempPath(name);
    try {
      if ((await receiveBodyToFile(req, tmp, limit)) === 'too-large') return undefined;
      const bytes = await readFile(tmp);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  private tokenOk(candidate: string | undefined | null): boolean {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.opts.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private cookieToken(req: IncomingMessage): string | undefined {
    const header = req.headers.cookie ?? '';
    for (const part of header.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === cookieName(this.port)) return v.join('=');
    }
    return undefined;
  }

  private hostOk(req: IncomingMessage): boolean {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const extra = this.opts.extraHosts ?? [];
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || extra.includes('*') || extra.includes(host);
  }

  private sameOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return true; // non-browser clients (tests, scripts) hold the token anyway
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  private allowed(req: IncomingMessage): boolean {
    if (!this.hostOk(req)) return false;
    const url = new URL(req.url ?? '/', 'http://x');
    return this.tokenOk(this.cookieToken(req)) || this.tokenOk(url.searchParams.get('token'));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!this.hostOk(req)) return send(res, 421, 'text/plain', 'wrong host');
    const fromQuery = this.tokenOk(url.searchParams.get('token'));
    if (!fromQuery && !this.tokenOk(this.cookieToken(req))) {
      return send(res, 403, 'text/plain', 'Atelier: open the URL printed by `npm run serve` (it carries the access token).');
    }
    const path = url.pathname;
    if (req.method === 'POST' && path === '/upload') {
      if (!this.sameOrigin(req)) return send(res, 403, 'text/plain', 'cross-origin upload refused');
      const bytes = await this.receiveBytes(req, 'upload.png', MAX_UPLOAD);
      if (!bytes) return refuseTooLarge(res, 'The file is larger than 256 MiB.');
      const r = await invokeChannel(this.opts.backend.handlers, 'images:put', { bytes });
      return send(res, r.ok ? 200 : 400, 'application/json', JSON.stringify(r));
    }
    if (req.method === 'POST' && path === '/lora') {
      // A LoRA file the user picked: to a temp file first (bounded), then the loras:import channel checks it.
      if (!this.sameOrigin(req)) return send(res, 403, 'text/plain', 'cross-origin import refused');
      const bytes = await this.receiveBytes(req, 'upload.safetensors', MAX_IMPORT);
      if (!bytes) return refuseTooLarge(res, 'The file is larger than 2 GiB.');
      const r = await invokeChannel(this.opts.backend.handlers, 'loras:import', { fileName: url.searchParams.get('name') ?? '', bytes });
      return send(res, r.ok ? 200 : 400, 'application/json', JSON.stringify(r));
    }
    if (req.method === 'POST' && path === '/import') {
      if (!this.sameOrigin(req)) return send(res, 403, 'text/plain', 'cross-origin import refused');
      // The same name rule as the documents:import channel; the body goes to disk, never into memory.
      const name = IMPORT_NAME.safeParse(url.searchParams.get('name') ?? '');
      if (!name.success) return send(res, 400, 'application/json', JSON.stringify({ ok: false, error: { message: `Invalid import: ${name.error.issues[0]?.message}`, code: 'invalid-input' } }));
      const tmp = await this.opts.backend.importTempPath(name.data);
      if ((await receiveBodyToFile(req, tmp, MAX_IMPORT)) === 'too-large') return refuseTooLarge(res, 'The file is larger than 2 GiB.');
      // A client that goes away (tab closed, upload cancelled) cancels the import in the document worker.
      const gone = new AbortController();
      res.on('close', () => !res.writableFinished && gone.abort());
      const r = await this.opts.backend.importFromTemp(name.data, tmp, { signal: gone.signal }).then(
        (value) => ({ ok: true as const, value }),
        (e: unknown) => ({ ok: false as const, error: describe(e) }),
      );
      return send(res, r.ok ? 200 : 400, 'application/json', JSON.stringify(r));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    let m = /^\/images\/([0-9a-f]{64})\.png$/.exec(path);
    if (m) {
      const id = m[1];
      if (!this.opts.backend.images.has(id)) return send(res, 404, 'text/plain', 'no such image');
      return sendFile(res, this.opts.backend.images.path(id), 'image/png', 'public, max-age=31536000, immutable');
    }
    m = /^\/thumbs\/([0-9a-f]{64})\.webp$/.exec(path);
    if (m) {
      // History rows: a 128 px WebP rendered once and cached by the image store.
      const id = m[1];
      if (!this.opts.backend.images.has(id)) return send(res, 404, 'text/plain', 'no such image');
      const file = await this.opts.backend.images.thumbnail(id, 128).catch(() => null);
      if (!file) return send(res, 500, 'text/plain', 'the thumbnail cannot be made from this image');
      return sendFile(res, file, 'image/webp', 'public, max-age=31536000, immutable');
    }
    m = /^\/previews\/(job-[0-9a-f]{16})\.png$/.exec(path);
    if (m) {
      const png = this.opts.backend.preview(m[1]);
      if (!png) return send(res, 404, 'text/plain', 'no preview');
      res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
      res.end(png);
      return;
    }
    m = /^\/exports\/([^/]+)$/.exec(path);
    if (m) {
      const file = this.opts.backend.exportedFile(decodeURIComponent(m[1]));
      if (!file) return send(res, 404, 'text/plain', 'no such export');
      const name = basename(file);
      return sendFile(res, file, TYPES[extname(file)] ?? 'application/octet-stream', 'no-store', {
        'content-disposition': `attachment; filename="${name.replace(/[^\w.\- ]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      });
    }
    return this.serveStatic(res, path, fromQuery);
  }

  private async serveStatic(res: ServerResponse, path: string, setCookie: boolean): Promise<void> {
    const root = this.opts.rendererDir;
    const rel = path === '/' ? 'index.html' : decodeURIComponent(path.slice(1));
    const file = normalize(join(root, rel));
    if (!file.startsWith(normalize(root) + sep)) return send(res, 404, 'text/plain', 'not found');
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string> = {};
    if (type.startsWith('text/html')) {
      headers['content-security-policy'] = [
        "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' blob: data:",
        `connect-src 'self' ws://${this.hostHeaderFor()}`, "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'none'",
      ].join('; ');
      headers['x-content-type-options'] = 'nosniff';
      headers['referrer-policy'] = 'no-referrer';
      if (setCookie) headers['set-cookie'] = `${cookieName(this.port)}=${this.opts.token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    return sendFile(res, file, type, type.startsWith('text/html') ? 'no-store' : 'no-cache', headers);
  }

  private hostHeaderFor(): string {
    return `127.0.0.1:${this.port} ws://localhost:${this.port}`;
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * Streams a file. It is opened first and checked to be a regular file through the same handle, so a
 * file deleted or replaced by a folder after the route looked at it answers 404; a read that fails
 * mid-stream (disk error, truncated file) ends this response only.
 */
async function sendFile(res: ServerResponse, file: string, type: string, cache: string, extra: Record<string, string> = {}): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch {
    return send(res, 404, 'text/plain', 'not found');
  }
  let size: number;
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      return send(res, 404, 'text/plain', 'not found');
    }
    size = info.size;
  } catch {
    await handle.close().catch(() => undefined);
    return send(res, 404, 'text/plain', 'not found');
  }
  res.writeHead(200, { 'content-type': type, 'cache-control': cache, 'content-length': String(size), ...extra });
  const stream = handle.createReadStream({ autoClose: true });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}
