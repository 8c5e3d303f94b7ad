import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename, extname, join, normalize, sep } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { invokeChannel } from '../../core/jobs/apiHandlers.js';
import type { StudioBackend } from '../../core/jobs/studioBackend.js';

/**
 * serve mode's transport: the built renderer, images and previews over HTTP, the API over one
 * WebSocket (`/api`), uploads by POST. Every request needs the access token: from the printed URL
 * once, then an HttpOnly same-site cookie. Host and Origin are checked (DNS rebinding, cross-site WS).
 */

const COOKIE = 'atelier_token';
const MAX_UPLOAD = 256 * 1024 * 1024;
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
      this.route(req, res).catch((e: unknown) => send(res, 500, 'text/plain', `error: ${(e as Error).message}`));
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 32 * 1024 * 1024 });
    this.http.on('upgrade', (req, socket, head) => {
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
      if (k === COOKIE) return v.join('=');
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
      const bytes = await readBody(req, MAX_UPLOAD);
      if (!bytes) return send(res, 413, 'application/json', JSON.stringify({ ok: false, error: { message: 'The file is larger than 256 MiB.', code: 'too-large' } }));
      const r = await invokeChannel(this.opts.backend.handlers, 'images:put', { bytes: new Uint8Array(bytes) });
      return send(res, r.ok ? 200 : 400, 'application/json', JSON.stringify(r));
    }
    if (req.method === 'POST' && path === '/import') {
      if (!this.sameOrigin(req)) return send(res, 403, 'text/plain', 'cross-origin import refused');
      const bytes = await readBody(req, 2 ** 31);
      if (!bytes) return send(res, 413, 'application/json', JSON.stringify({ ok: false, error: { message: 'The file is larger than 2 GiB.', code: 'too-large' } }));
      const r = await invokeChannel(this.opts.backend.handlers, 'documents:import', { fileName: url.searchParams.get('name') ?? '', bytes: new Uint8Array(bytes) });
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

  private serveStatic(res: ServerResponse, path: string, setCookie: boolean): void {
    const root = this.opts.rendererDir;
    const rel = path === '/' ? 'index.html' : decodeURIComponent(path.slice(1));
    const file = normalize(join(root, rel));
    if (!file.startsWith(normalize(root) + sep)) return send(res, 404, 'text/plain', 'not found');
    if (!existsSync(file) || !statSync(file).isFile()) return send(res, 404, 'text/plain', 'not found');
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string> = {};
    if (type.startsWith('text/html')) {
      headers['content-security-policy'] = [
        "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' blob: data:",
        `connect-src 'self' ws://${this.hostHeaderFor()}`, "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'none'",
      ].join('; ');
      headers['x-content-type-options'] = 'nosniff';
      headers['referrer-policy'] = 'no-referrer';
      if (setCookie) headers['set-cookie'] = `${COOKIE}=${this.opts.token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    sendFile(res, file, type, type.startsWith('text/html') ? 'no-store' : 'no-cache', headers);
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

function sendFile(res: ServerResponse, file: string, type: string, cache: string, extra: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': cache, 'content-length': String(statSync(file).size), ...extra });
  createReadStream(file).pipe(res);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) over = true;
      else parts.push(chunk);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(parts)));
    req.on('error', reject);
  });
}
