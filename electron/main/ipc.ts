import { API_CHANNELS } from '../contract/api.js';
import { invokeChannel, type InvokeResult } from '../core/jobs/apiHandlers.js';
import type { Handlers } from '../core/jobs/studioBackend.js';

/** The part of an IPC invoke event the wrapper reads (Electron's IpcMainInvokeEvent has these). */
export interface InvokeEventLike {
  sender: unknown;
  senderFrame: { url: string; parent: unknown } | null;
}

/** Electron's ipcMain, as far as registering handlers goes (injected, so tests run without Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, payload: unknown) => Promise<InvokeResult>): void;
}

/**
 * Registers every contract channel through one wrapper: the sender must be our window's top frame on our
 * own renderer URL, the payload must parse (invokeChannel), and failures come back as one-line errors.
 */
export function registerIpc(ipc: IpcMainLike, handlers: Handlers, isTrustedSender: (sender: unknown, frameUrl: string) => boolean): void {
  for (const channel of API_CHANNELS) {
    ipc.handle(channel, async (event, payload) => {
      const frame = event.senderFrame;
      if (!frame || frame.parent !== null || !isTrustedSender(event.sender, frame.url)) {
        return { ok: false, error: { message: 'Request refused: unknown sender.', code: 'forbidden' } };
      }
      return invokeChannel(handlers, channel, payload);
    });
  }
}
