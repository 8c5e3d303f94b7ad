import { API_CHANNELS, type ApiHandlers } from '../contract/api.js';
import { CANCEL_CHANNEL, SUBSCRIBE_CHANNEL, UNSUBSCRIBE_CHANNEL } from '../contract/bridge.js';
import { RequestDispatcher, type InvokeResult } from '../core/jobs/apiHandlers.js';
import type { EventSubscriptions } from '../core/jobs/eventSubscriptions.js';

/** The part of an IPC invoke event the wrapper reads (Electron's IpcMainInvokeEvent has these). */
export interface InvokeEventLike {
  sender: unknown;
  senderFrame: { url: string; parent: unknown } | null;
}

/** Electron's ipcMain, as far as registering handlers goes (injected, so tests run without Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, payload: unknown, requestId?: unknown) => Promise<InvokeResult>): void;
  /** Cancels (preload's `cancelRequest`) and event subscriptions; a host without it cannot cancel single requests or get events. */
  on?(channel: string, listener: (event: InvokeEventLike, arg: unknown) => void): void;
}

/**
 * Registers every contract channel through one wrapper: the sender must be our window's top frame on our
 * own renderer URL, the payload must parse (invokeChannel), and failures come back as one-line errors.
 * Each sender has its own dispatcher, so a cancel names a request of that window only. A trusted window's
 * subscribe/unsubscribe go into `subscriptions`, which main publishes events by (the rule serve uses too).
 */
export function registerIpc(
  ipc: IpcMainLike, handlers: ApiHandlers, isTrustedSender: (sender: unknown, frameUrl: string) => boolean, subscriptions?: EventSubscriptions<unknown>,
): void {
  const dispatchers = new WeakMap<object, RequestDispatcher>();
  const dispatcherOf = (sender: unknown): RequestDispatcher => {
    const key = sender as object;
    let d = dispatchers.get(key);
    if (!d) dispatchers.set(key, (d = new RequestDispatcher(handlers)));
    return d;
  };
  const trusted = (event: InvokeEventLike): boolean => {
    const frame = event.senderFrame;
    return !!frame && frame.parent === null && isTrustedSender(event.sender, frame.url);
  };
  for (const channel of API_CHANNELS) {
    ipc.handle(channel, async (event, payload, requestId) => {
      if (!trusted(event)) return { ok: false, error: { message: 'Request refused: unknown sender.', code: 'forbidden' } };
      return dispatcherOf(event.sender).invoke(channel, payload, requestId);
    });
  }
  ipc.on?.(CANCEL_CHANNEL, (event, requestId) => {
    if (trusted(event)) dispatcherOf(event.sender).cancel(requestId);
  });
  ipc.on?.(SUBSCRIBE_CHANNEL, (event, name) => {
    if (trusted(event)) subscriptions?.subscribe(event.sender, name);
  });
  ipc.on?.(UNSUBSCRIBE_CHANNEL, (event, name) => {
    if (trusted(event)) subscriptions?.unsubscribe(event.sender, name);
  });
}

/** The events of a window's page that end what it subscribed to (Electron's WebContents has these). */
export interface PageEventsLike {
  on(event: 'did-start-navigation', listener: (details: { isMainFrame: boolean; isSameDocument: boolean }) => void): unknown;
  on(event: 'render-process-gone' | 'destroyed', listener: () => void): unknown;
}

/**
 * A reload, a navigation, a crashed renderer or a closed window ends the page whose preload subscribed:
 * its subscriptions go with it (the new page's preload subscribes afresh), so main never keeps sending a
 * page's events after it is gone. A same-document navigation (a hash change) keeps them.
 */
export function dropSubscriptionsWithPage<C extends PageEventsLike>(contents: C, subscriptions: EventSubscriptions<C>): void {
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) subscriptions.drop(contents);
  });
  contents.on('render-process-gone', () => subscriptions.drop(contents));
  contents.on('destroyed', () => subscriptions.drop(contents));
}
