import type { ApiChannel, ApiEventName } from './api.js';
import type { ApiResult } from './channel.js';

/**
 * serve's WebSocket messages (JSON, one per frame). A request has an id unique on its socket; a cancel
 * names that id; events are sent only for names the socket subscribed to.
 */
export type ServeClientMessage =
  | { id: number; channel: ApiChannel; payload: unknown }
  | { cancel: number }
  | { subscribe: ApiEventName }
  | { unsubscribe: ApiEventName };

export type ServeServerMessage = ({ id: number } & ApiResult) | { event: ApiEventName; payload: unknown };
