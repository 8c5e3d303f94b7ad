import type { AtelierApi } from '../../../electron/contract/api.js';
import { bridgeTransport, type ApiBridge } from '../../../electron/contract/bridge.js';
import { createApiClient } from '../../../electron/contract/client.js';
import { createServeClient } from './serveClient.js';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in a browser on `serve`. */
    atelier?: ApiBridge;
  }
}

let impl: AtelierApi | null = null;

function resolveApi(): AtelierApi {
  impl ??= typeof window !== 'undefined' && window.atelier ? createApiClient(bridgeTransport(window.atelier)) : createServeClient();
  return impl;
}

/**
 * The one API object: the shared client (electron/contract/client.ts) over the preload bridge in
 * Electron, over the WebSocket in a browser. Chosen on first use (not at import), so headless tests can
 * import stores and tools and install their own with `setApi`.
 */
export const api: AtelierApi = new Proxy({} as AtelierApi, { get: (_t, key) => Reflect.get(resolveApi(), key) });

export function setApi(next: AtelierApi): void {
  impl = next;
}

/** A thrown value as the one line we show the user. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message.replace(/^Error invoking remote method '[^']+': (\w*Error: )?/, '');
  return String(e);
}
