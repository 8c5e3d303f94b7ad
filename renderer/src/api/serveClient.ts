import type { ApiChannel, ApiEventName, ApiEvents, ApiRequest, ApiResponses, AtelierApi } from '../../../electron/contract/api.js';

/** Thrown by API calls: the core's one-line message for the user. */
export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'ApiError';
  }
}

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
 * The `serve` transport: requests over one WebSocket (`/api`, cookie-authenticated), uploads by POST,
 * images by plain URL. Reconnects when the socket drops; calls made meanwhile wait for it.
 */
export function createServeClient(base: URL = new URL(window.location.href)): AtelierApi {
  forgetTokenInAddressBar();
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<Listener>>();

  const connect = (): Promise<WebSocket> => {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}/api`);
      ws.onopen = () => {
        socket = ws;
        opening = null;
        resolve(ws);
      };
      ws.onerror = () => {
        opening = null;
        reject(new ApiError('Cannot reach the Atelier server. Is `npm run serve` still running?', 'offline'));
      };
      ws.onclose = () => {
        if (socket === ws) socket = null;
        for (const p of pending.values()) p.reject(new ApiError('The connection to the Atelier server was lost.', 'offline'));
        pending.clear();
        // Keep event subscriptions alive across a dropped connection (server restart, laptop sleep).
        if ([...listeners.values()].some((set) => set.size > 0)) scheduleReconnect();
      };
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as { id?: number; ok?: boolean; value?: unknown; error?: { message: string; code: string }; event?: string; payload?: unknown };
        if (typeof msg.id === 'number') {
          const p = pending.get(msg.id);
          pending.delete(msg.id);
          if (!p) return;
          if (msg.ok) p.resolve(msg.value);
          else p.reject(new ApiError(msg.error?.message ?? 'Request failed.', msg.error?.code ?? 'error'));
        } else if (msg.event) {
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

  const call = async <C extends ApiChannel>(channel: C, payload: ApiRequest<C>): Promise<ApiResponses[C]> => {
    const ws = await connect();
    const id = nextId++;
    return new Promise<ApiResponses[C]>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, channel, payload }));
    });
  };

  /** Binary requests go by POST (the WebSocket carries JSON only). */
  const post = async <T>(path: string, bytes: Uint8Array): Promise<T> => {
    const res = await fetch(new URL(path, base), { method: 'POST', body: bytes as BufferSource, credentials: 'same-origin' });
    const body = (await res.json().catch(() => null)) as { ok: boolean; value?: T; error?: { message: string; code: string } } | null;
    if (!body?.ok || !body.value) throw new ApiError(body?.error?.message ?? `Upload failed (HTTP ${res.status}).`, body?.error?.code ?? 'upload');
    return body.value;
  };

  const on = <E extends ApiEventName>(event: E, cb: (e: ApiEvents[E]) => void): (() => void) => {
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set);
    const l = cb as Listener;
    set.add(l);
    void connect().catch(() => undefined);
    return () => set.delete(l);
  };

  return {
    transport: 'serve',
    listModels: () => call('models:list', {}),
    tokenize: (modelId, text) => call('prompt:tokenize', { modelId, text }),
  estimateMemory: (req) => call('models:estimate', req),
    putImage: (bytes) => post<ApiResponses['images:put']>('upload', bytes),
    importDocument: (fileName, bytes) => post<ApiResponses['documents:import']>(`import?name=${encodeURIComponent(fileName)}`, bytes),
    startGeneration: (req) => call('generation:start', req),
    cancelGeneration: (jobId) => call('generation:cancel', { jobId }),
    keepLiveDraft: (req) => call('generation:keepDraft', req),
    listUpscalers: () => call('upscale:list', {}),
    startUpscale: (req) => call('upscale:start', req),
    onUpscaleDone: (cb) => on('upscale:done', cb),
    listHistory: (req) => call('history:list', req),
    listHistoryModels: () => call('history:models', {}),
    setHistoryFavourite: (id, favourite, imageId) => call('history:favourite', { id, favourite, ...(imageId ? { imageId } : {}) }),
    deleteHistoryEntry: (req) => call('history:delete', req),
    rerunHistoryEntry: (req) => call('history:rerun', req),
    importHistoryPng: (req) => call('history:import', req),
    modelLibrary: () => call('models:library', {}),
    pullModel: (catalogId) => call('models:pull', { catalogId }),
    pauseModelPull: (jobId) => call('models:pause', { jobId }),
    discardModelPull: (catalogId) => call('models:discard', { catalogId }),
    importModelFolder: (dir) => call('models:import', dir ? { dir } : {}),
    onModelProgress: (cb) => on('models:progress', cb),
    onModelDone: (cb) => on('models:done', cb),
    onModelFailed: (cb) => on('models:failed', cb),
    listDocuments: () => call('documents:list', {}),
    saveDocument: (name, document) => call('documents:save', { name, document }),
    openDocument: (name) => call('documents:open', { name }),
    autosaveDocument: (document) => call('documents:autosave', { document }),
    recoverDocument: (discard) => call('documents:recover', { discard }),
    exportDocument: (req) => call('export:document', req),
    listStyles: () => call('styles:list', {}),
    listLoras: () => call('loras:list', {}),
    importLora: (fileName, bytes) => post<ApiResponses['loras:import']>(`lora?name=${encodeURIComponent(fileName)}`, bytes),
    saveStyle: (style) => call('styles:save', { style }),
    deleteStyle: (name) => call('styles:delete', { name }),
    imageUrl: (imageId) => new URL(`images/${imageId}.png`, base).pathname,
    thumbnailUrl: (imageId) => new URL(`thumbs/${imageId}.webp`, base).pathname,
    onGenerationProgress: (cb) => on('generation:progress', cb),
    onGenerationDone: (cb) => on('generation:done', cb),
    onGenerationFailed: (cb) => on('generation:failed', cb),
  };
}
