import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CANCEL_CHANNEL, deriveBridge, SUBSCRIBE_CHANNEL, UNSUBSCRIBE_CHANNEL } from '../contract/bridge.js';

/**
 * The one API the sandboxed renderer gets, derived from the contract's table (contract/bridge.ts): named
 * functions only, each invoking exactly one declared channel; no ipcRenderer, no generic send. Results
 * come back as the contract's envelope; the renderer's shared client (contract/client.ts) unwraps them.
 */
const bridge = deriveBridge({
  invoke: (channel, request, requestId) => ipcRenderer.invoke(channel, request, requestId),
  cancel: (requestId) => ipcRenderer.send(CANCEL_CHANNEL, requestId),
  on: (event, listener) => {
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => void ipcRenderer.removeListener(event, wrapped);
  },
  subscribe: (event) => ipcRenderer.send(SUBSCRIBE_CHANNEL, event),
  unsubscribe: (event) => ipcRenderer.send(UNSUBSCRIBE_CHANNEL, event),
});

contextBridge.exposeInMainWorld('atelier', bridge);
