import type { AtelierApi } from '../../../electron/contract/api.js';
import { createServeClient } from './serveClient.js';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in a browser on `serve`. */
    atelier?: AtelierApi;
  }
}

let impl: AtelierApi | null = null;

function resolveApi(): AtelierApi {
  impl ??= (typeof window !== 'undefined' && window.atelier) || createServeClient();
  return impl;
}

/**
 * The one API object: the preload bridge in Electron, the WebSocket client in a browser. Chosen on first
 * use (not at import), so headless tests can import stores and tools and install their own with `setApi`.
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
