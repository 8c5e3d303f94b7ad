import { API, API_CHANNELS, API_EVENT_NAMES, API_EVENT_TABLE, type ApiChannel, type ApiEventName, type ApiEvents, type ApiRequest, type ApiTable } from './api.js';
import type { ApiResult, ResponseOf } from './channel.js';
import type { ApiTransport } from './client.js';
import { imageRoutePath } from './imageRoutes.js';

/**
 * The Electron preload bridge, derived from the API table: one named function per channel (the client
 * method's name, taking the parsed-side request and a request id, answering the result envelope), one
 * `on…` per event, and `cancelRequest`. Nothing generic crosses contextBridge: no ipcRenderer, no send.
 * The renderer wraps it in the shared client (client.ts) with `bridgeTransport`.
 */
export type ApiBridge = {
  [C in ApiChannel as ApiTable[C]['method']]: (request: ApiRequest<C>, requestId: number) => Promise<ApiResult<ResponseOf<ApiTable[C]>>>;
} & {
  [E in ApiEventName as (typeof API_EVENT_TABLE)[E]['subscribe']]: (listener: (event: ApiEvents[E]) => void) => () => void;
} & {
  cancelRequest(requestId: number): void;
};

/** Main ⇄ preload: requests go on their own channel name; these carry cancels and event subscriptions. */
export const CANCEL_CHANNEL = 'api:cancel';
export const SUBSCRIBE_CHANNEL = 'api:subscribe';
export const UNSUBSCRIBE_CHANNEL = 'api:unsubscribe';
/** The custom protocol Electron serves pixels on (electron/main/imageProtocol.ts). */
export const IMAGE_SCHEME = 'atelier';

/** What the preload needs from ipcRenderer, injected so this stays free of Electron imports. */
export interface BridgeIpc {
  invoke(channel: ApiChannel, request: unknown, requestId: number): Promise<ApiResult>;
  cancel(requestId: number): void;
  on(event: ApiEventName, listener: (payload: unknown) => void): () => void;
  /** Tells main this window wants `event` (first listener) or no longer does (last one gone): main sends a window only what it subscribed to. */
  subscribe(event: ApiEventName): void;
  unsubscribe(event: ApiEventName): void;
}

export function deriveBridge(ipc: BridgeIpc): ApiBridge {
  const bridge: Record<string, unknown> = { cancelRequest: (requestId: number) => ipc.cancel(requestId) };
  for (const channel of API_CHANNELS) bridge[API[channel].method] = (request: unknown, requestId: number) => ipc.invoke(channel, request, requestId);
  const counts = new Map<ApiEventName, number>();
  for (const event of API_EVENT_NAMES) {
    bridge[API_EVENT_TABLE[event].subscribe] = (listener: (payload: unknown) => void) => {
      const off = ipc.on(event, listener);
      const count = (counts.get(event) ?? 0) + 1;
      counts.set(event, count);
      if (count === 1) ipc.subscribe(event);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        off();
        const left = counts.get(event)! - 1;
        counts.set(event, left);
        if (left === 0) ipc.unsubscribe(event);
      };
    };
  }
  return bridge as ApiBridge;
}

/** The renderer side of the bridge, as a transport for the shared client. */
export function bridgeTransport(bridge: ApiBridge): ApiTransport {
  const named = bridge as unknown as Record<string, (...args: unknown[]) => unknown>;
  return {
    kind: 'electron',
    request: (channel, payload, requestId) => named[API[channel].method](payload, requestId) as Promise<ApiResult>,
    cancel: (requestId) => bridge.cancelRequest(requestId),
    subscribe: (event, listener) => named[API_EVENT_TABLE[event].subscribe](listener) as () => void,
    imageUrl: (imageId) => `${IMAGE_SCHEME}://${imageRoutePath('image', imageId)}`,
    thumbnailUrl: (imageId) => `${IMAGE_SCHEME}://${imageRoutePath('thumb', imageId)}`,
  };
}
