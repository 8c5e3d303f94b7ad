import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename, extname, join, normalize, sep } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { z } from 'zod';
import { invokeChannel, RequestDispatcher } from '../../core/jobs/apiHandlers.js';
import { EventSubscriptions } from '../../core/jobs/eventSubscriptions.js';
import { resolveImageRoute } from '../../core/jobs/imageRouteResolver.js';
import type { StudioBackend } from '../../core/jobs/studioBackend.js';
import { describeFailure } from '../../shared/userError.js';
import { API, API_CHANNELS, type ApiChannel, type ApiEventName } from '../../contract/api.js';
import type { ApiResult } from '../../contract/channel.js';
import type { ServeServerMessage } from '../../contract/serveProtocol.js';
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
/** Channels whose bytes come by POST (`upload` in the API table), by their route. */
const UPLOADS = new Map<string, ApiChannel>(API_CHANNELS.flatMap((c) => (API[c].upload ? [[`/${API[c].upload.path}`, c] as const] : [])));
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
  /** Open sockets; an event goes only to those that subscribed to it (the rule Electron main uses too). */
  private readonly sockets = new Set<WebSocket>();
  private readonly subscriptions = new EventSubscriptions<WebSocket>();
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

  /** Pushes an event to the clients subscribed to it. */
  publish(event: ApiEventName, payload: unknown): void {
    let text: string | undefined;
    this.subscriptions.publish(event, (ws) => {
      if (ws.readyState !== ws.OPEN) return;
      text ??= JSON.stringify({ event, payload } satisfies ServeServerMessage);
      ws.send(text);
    });
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  /** One socket: requests (each cancellable by its id), cancels, subscribe/unsubscribe by event name. */
  private attach(ws: WebSocket): void {
    const requests = new RequestDispatcher(this.opts.backend.handlers);
    this.sockets.add(ws);
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.subscriptions.drop(ws);
      requests.cancelAll();
    });
    // A bad frame (too long, invalid UTF-8, unmasked, unknown opcode) ends this connection only: ws has
    // already sent the close frame with its code (1009, 1007, 1002) when it emits 'error'.
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: { id?: unknown; channel?: unknown; payload?: unknown; cancel?: unknown; subscribe?: unknown; unsubscribe?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      if (msg === null || typeof msg !== 'object') return;
      if ('subscribe' in msg) this.subscriptions.subscribe(ws, msg.subscribe);
      else if ('unsubscribe' in msg) this.subscriptions.unsubscribe(ws, msg.unsubscribe);
      else if ('cancel' in msg) requests.cancel(msg.cancel);
      else if (typeof msg.id === 'number') {
        const id = msg.id;
        void requests.invoke(msg.channel, msg.payload, id).then((r) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, ...r } satisfies ServeServerMessage));
        });
      }
    });
  }

  /**
   * A channel's bytes by POST: the rest of its request (`?name=` as `fileName`, `?jobId=`) is checked first, the body
   * goes to a temp file (bounded while streaming), then through the same dispatch as the WebSocket.
   * Document imports are opened from that file directly, so a 2 GiB body never sits in memory.
   */
  private async receiveUpload(req: IncomingMessage, channel: ApiChannel, query: URLSearchParams, signal: AbortSignal): Promise<ApiResult | 'too-large'> {
    const schema = API[channel].request as z.ZodObject;
    const rest: { fileName?: string; jobId?: string } = 'fileName' in schema.shape ? { fileName: query.get('name') ?? '' } : {};
    const jobId = query.get('jobId');
    if (jobId !== null && 'jobId' in schema.shape) rest.jobId = jobId;
    const head = schema.omit({ bytes: true }).safeParse(rest);
    if (!head.success) return { ok: false, error: { message: `Invalid ${channel} request: ${head.error.issues[0]?.message ?? 'bad name'}`, code: 'invalid-input' } };
    const tmp = await this.opts.backend.importTempPath(rest.fileName ?? 'upload.bin');
    if ((await receiveBodyToFile(req, tmp, API[channel].upload!.maxBytes)) === 'too-large') return 'too-large';
    if (channel === 'documents:import') {
      return this.opts.backend.importFromTemp(rest.fileName!, tmp, { signal, onProgress: this.opts.backend.progressEvents('import:progress', rest.jobId) }).then(
        (value) => ({ ok: true as const, value }),
        (e: unknown) => ({ ok: false as const, error: describeFailure(e) }),
      );
    }
    try {
      const bytes = await readFile(tmp);
      return await invokeChannel(this.opts.backend.handlers, channel, { ...rest, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) }, { signal });
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
    const upload = req.method === 'POST' ? UPLOADS.get(path) : undefined;
    if (upload) {
      if (!this.sameOrigin(req)) return send(res, 403, 'text/plain', 'cross-origin upload refused');
      // A client that goes away (tab closed, upload cancelled) cancels the request (an import in the document worker).
      const gone = new AbortController();
      res.on('close', () => !res.writableFinished && gone.abort());
      const r = await this.receiveUpload(req, upload, url.searchParams, gone.signal);
      if (r === 'too-large') return refuseTooLarge(res, `The file is larger than ${sizeWords(API[upload].upload!.maxBytes)}.`);
      return send(res, r.ok ? 200 : 400, 'application/json', JSON.stringify(r));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    const image = await resolveImageRoute(this.opts.backend, path);
    if (image?.kind === 'missing') return send(res, image.status, 'text/plain', image.message);
    if (image?.kind === 'file') return sendFile(res, image.path, image.type, image.cache);
    if (image?.kind === 'bytes') {
      res.writeHead(200, { 'content-type': image.type, 'cache-control': image.cache });
      res.end(image.bytes);
      return;
    }
    const m = /^\/exports\/([^/]+)$/.exec(path);
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

/** 268435456 → '256 MiB', 2147483648 → '2 GiB'. */
function sizeWords(bytes: number): string {
  return bytes >= 2 ** 30 ? `${bytes / 2 ** 30} GiB` : `${bytes / 2 ** 20} MiB`;
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
