import { API, type ApiEventName } from '../../../electron/contract/api.js';
import { ApiError, type ApiResult } from '../../../electron/contract/channel.js';
import { createApiClient, type ApiTransport } from '../../../electron/contract/client.js';
import { imageRoutePath } from '../../../electron/contract/imageRoutes.js';
import type { ServeClientMessage, ServeServerMessage } from '../../../electron/contract/serveProtocol.js';
import type { AtelierApi } from '../../../electron/contract/api.js';

export { ApiError };

type Listener = (payload: unknown) => void;

/**
 * The printed URL carries the access token once; serve answered the page with a cookie, so the token
 * leaves the address bar and the browser history (replaceState keeps the page, drops the query).
 */
function forgetTokenInAddressBar(): void {
  if (typeof window === 'undefined' || typeof history === 'undefined') return;
  const url = new URL(window.location.href);
  if (!url.searchParams.has('token')) return;
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

/**
 * The `serve` transport: requests over one WebSocket (`/api`, cookie-authenticated), binary uploads by
 * POST to the channel's declared route, images by plain URL. Events arrive only for subscribed names.
 * Reconnects when the socket drops (subscriptions are renewed); calls made meanwhile wait for it.
 */
export function serveTransport(base: URL = new URL(window.location.href)): ApiTransport {
  forgetTokenInAddressBar();
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;
  const pending = new Map<number, (r: ApiResult) => void>();
  const listeners = new Map<ApiEventName, Set<Listener>>();
  const send = (ws: WebSocket, msg: ServeClientMessage): void => ws.send(JSON.stringify(msg));

  const connect = (): Promise<WebSocket> => {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}/api`);
      ws.onopen = () => {
        socket = ws;
        opening = null;
        for (const [event, set] of listeners) if (set.size > 0) send(ws, { subscribe: event });
        resolve(ws);
      };
      ws.onerror = () => {
        opening = null;
        reject(new ApiError('Cannot reach the Atelier server. Is `npm run serve` still running?', 'offline'));
      };
      ws.onclose = () => {
        if (socket === ws) socket = null;
        for (const settle of pending.values()) settle({ ok: false, error: { message: 'The connection to the Atelier server was lost.', code: 'offline' } });
        pending.clear();
        // Keep event subscriptions alive across a dropped connection (server restart, laptop sleep).
        if ([...listeners.values()].some((set) => set.size > 0)) scheduleReconnect();
      };
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as ServeServerMessage;
        if ('id' in msg) {
          const settle = pending.get(msg.id);
          pending.delete(msg.id);
          const { id: _id, ...result } = msg;
          settle?.(result);
        } else if ('event' in msg) {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        }
      };
    });
    return opening;
  };

  let retryMs = 500;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  const scheduleReconnect = (): void => {
    if (retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect().then(
        () => (retryMs = 500),
        () => {
          retryMs = Math.min(10_000, retryMs * 2);
          scheduleReconnect();
        },
      );
    }, retryMs);
  };

  /**
   * Binary requests go by POST (the WebSocket carries JSON only); a `fileName` rides as `?name=`, a `jobId`
   * as `?jobId=`. Cancel aborts the upload: serve sees its client gone and cancels the request's work.
   */
  const uploads = new Map<number, AbortController>();
  const post = async (path: string, payload: { bytes: Uint8Array; fileName?: string; jobId?: string }, id: number): Promise<ApiResult> => {
    const url = new URL(path, base);
    if (payload.fileName !== undefined) url.searchParams.set('name', payload.fileName);
    if (payload.jobId !== undefined) url.searchParams.set('jobId', payload.jobId);
    const abort = new AbortController();
    uploads.set(id, abort);
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', body: payload.bytes as BufferSource, credentials: 'same-origin', signal: abort.signal });
    } catch (e) {
      if (abort.signal.aborted) return { ok: false, error: { message: 'Cancelled.', code: 'cancelled' } };
      throw e;
    } finally {
      uploads.delete(id);
    }
    const body = (await res.json().catch(() => null)) as ApiResult | null;
    return body ?? { ok: false, error: { message: `Upload failed (HTTP ${res.status}).`, code: 'upload' } };
  };

  return {
    kind: 'serve',
    async request(channel, payload, id) {
      const upload = API[channel].upload;
      if (upload) return post(upload.path, payload as { bytes: Uint8Array; fileName?: string; jobId?: string }, id);
      const ws = await connect();
      return new Promise<ApiResult>((resolve) => {
        pending.set(id, resolve);
        send(ws, { id, channel, payload });
      });
    },
    cancel(id) {
      uploads.get(id)?.abort();
      if (socket && pending.has(id)) send(socket, { cancel: id });
    },
    subscribe(event, listener) {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      set.add(listener);
      if (set.size === 1 && socket?.readyState === WebSocket.OPEN) send(socket, { subscribe: event });
      else void connect().catch(() => undefined);
      return () => {
        set.delete(listener);
        if (set.size === 0 && socket?.readyState === WebSocket.OPEN) send(socket, { unsubscribe: event });
      };
    },
    imageUrl: (imageId) => new URL(imageRoutePath('image', imageId), base).pathname,
    thumbnailUrl: (imageId) => new URL(imageRoutePath('thumb', imageId), base).pathname,
  };
}

/** The renderer's API in a browser on `npm run serve`. */
export function createServeClient(base?: URL): AtelierApi {
  return createApiClient(serveTransport(base));
}
