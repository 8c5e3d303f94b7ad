import { API_EVENT_TABLE, type ApiEventName } from '../../contract/api.js';

export function isEventName(v: unknown): v is ApiEventName {
  return typeof v === 'string' && Object.hasOwn(API_EVENT_TABLE, v);
}

/**
 * Which client (a serve socket, an Electron window's webContents) subscribed to which events: the one rule
 * both transports publish by — a client gets only the events it subscribed to, and nothing once it is gone.
 * Subscribe messages come from the client, so a name that is not an event is ignored.
 */
export class EventSubscriptions<C> {
  private readonly byClient = new Map<C, Set<ApiEventName>>();

  subscribe(client: C, event: unknown): void {
    if (!isEventName(event)) return;
    let events = this.byClient.get(client);
    if (!events) this.byClient.set(client, (events = new Set()));
    events.add(event);
  }

  unsubscribe(client: C, event: unknown): void {
    if (isEventName(event)) this.byClient.get(client)?.delete(event);
  }

  /** The client is gone (socket closed, window destroyed). */
  drop(client: C): void {
    this.byClient.delete(client);
  }

  /** Calls `deliver` once for each client subscribed to `event`. */
  publish(event: ApiEventName, deliver: (client: C) => void): void {
    for (const [client, events] of this.byClient) if (events.has(event)) deliver(client);
  }
}
