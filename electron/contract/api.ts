import type { z } from 'zod';
import type { ApiErrorPayload, ClientOf, PayloadOf, ResponseOf } from './channel.js';
import { documentChannels, documentEvents } from './channels/documents.js';
import { generationChannels, generationEvents } from './channels/generation.js';
import { historyChannels } from './channels/history.js';
import { modelChannels, modelEvents } from './channels/models.js';
import { settingsChannels } from './channels/settings.js';
import { noticeChannels, noticeEvents } from './channels/notices.js';

/**
 * The one API between the renderer and the app core: the per-domain tables in `channels/`, joined.
 * Each `domain:verb` channel is declared once there (zod request schema, response type, client method);
 * the preload bridge, the serve client, Electron main's IPC dispatch and serve's WebSocket dispatch are
 * all derived from `API` (see channel.ts), so adding a channel is one entry in one domain file.
 * Pure data + zod: no Node, no DOM.
 */
export const API = {
  ...generationChannels,
  ...modelChannels,
  ...historyChannels,
  ...documentChannels,
  ...settingsChannels,
  ...noticeChannels,
};

/** Events pushed from the core to the windows / clients that subscribed to them. */
export const API_EVENT_TABLE = {
  ...generationEvents,
  ...modelEvents,
  ...documentEvents,
  ...noticeEvents,
};

export type ApiTable = typeof API;
export type ApiChannel = keyof ApiTable;
export const API_CHANNELS = Object.keys(API) as ApiChannel[];
export type ApiEventName = keyof typeof API_EVENT_TABLE;
export const API_EVENT_NAMES = Object.keys(API_EVENT_TABLE) as ApiEventName[];

/** Request schemas, one per channel (derived from `API`). */
export const API_REQUESTS = Object.fromEntries(API_CHANNELS.map((c) => [c, API[c].request])) as { [C in ApiChannel]: ApiTable[C]['request'] };
export type ApiRequest<C extends ApiChannel> = z.input<ApiTable[C]['request']>;
export type ApiParsedRequest<C extends ApiChannel> = z.output<ApiTable[C]['request']>;
export type ApiResponses = { [C in ApiChannel]: ResponseOf<ApiTable[C]> };
export type ApiEvents = { [E in ApiEventName]: PayloadOf<(typeof API_EVENT_TABLE)[E]> };
export type { ApiErrorPayload };

/** What a handler gets besides its parsed request: a signal that aborts when the caller cancels this request. */
export interface RequestContext {
  signal: AbortSignal;
}
/** The core's side of the table: one handler per channel (core/jobs/studioBackend.ts implements it). */
export type ApiHandlers = { [C in ApiChannel]: (request: ApiParsedRequest<C>, context?: RequestContext) => Promise<ApiResponses[C]> };
export type ApiEmit = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void;

/**
 * What the renderer sees: the derived methods plus the image URLs of its transport. Two transports (the
 * Electron preload bridge and the serve-mode WebSocket client), one generic client (client.ts).
 */
export type AtelierApi = ClientOf<ApiTable, typeof API_EVENT_TABLE> & {
  readonly transport: 'electron' | 'serve';
  /** URL the renderer can put in an <img>/Konva image: custom protocol or HTTP. */
  imageUrl(imageId: string): string;
  /** A small (128 px) WebP of a stored image, for list rows. */
  thumbnailUrl(imageId: string): string;
  /**
   * The same API whose requests are cancelled when `signal` aborts: the transport sends a cancel for
   * exactly that request (its handler sees its own AbortSignal) and the call rejects with code 'cancelled'.
   */
  withSignal(signal: AbortSignal): AtelierApi;
};

export * from './channels/generation.js';
export * from './channels/models.js';
export * from './channels/history.js';
export * from './channels/documents.js';
export * from './channels/notices.js';
export { JobIdSchema, HistoryIdSchema } from './ids.js';
