import type { AtelierApi } from '../../../electron/contract/api.js';
import { createServeClient } from './serveClient.js';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in a browser on `serve`. */
    atelier?: AtelierApi;
  }
}

/** The one API object: the preload bridge in Electron, the WebSocket client in a browser. */
export const api: AtelierApi = window.atelier ?? createServeClient();

/** A thrown value as the one line we show the user. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message.replace(/^Error invoking remote method '[^']+': (\w*Error: )?/, '');
  return String(e);
}
