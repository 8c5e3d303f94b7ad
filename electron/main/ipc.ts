import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { API_CHANNELS, type ApiChannel } from '../contract/api.js';
import { invokeChannel, type InvokeResult } from '../core/jobs/apiHandlers.js';
import type { Handlers } from '../core/jobs/studioBackend.js';

/**
 * Registers every contract channel through one wrapper: the sender must be our window's top frame on our
 * own renderer URL, the payload must parse (invokeChannel), and failures come back as one-line errors.
 */
export function registerIpc(handlers: Handlers, isTrustedSender: (sender: WebContents, frameUrl: string | undefined) => boolean): void {
  for (const channel of API_CHANNELS) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, payload: unknown): Promise<InvokeResult> => {
      const frame = event.senderFrame;
      if (!frame || frame.parent !== null || !isTrustedSender(event.sender, frame.url)) {
        return { ok: false, error: { message: 'Request refused: unknown sender.', code: 'forbidden' } };
      }
      return invokeChannel(handlers, channel satisfies ApiChannel, payload);
    });
  }
}
