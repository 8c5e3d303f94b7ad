import { API, API_CHANNELS, API_EVENT_NAMES, API_EVENT_TABLE, type ApiChannel, type ApiEventName, type AtelierApi } from './api.js';
import { ApiError, unwrap, type ApiResult } from './channel.js';

/**
 * What a transport must do; everything else about the client is derived from the API table. Two
 * implementations live in the renderer: the Electron preload bridge and serve's WebSocket/HTTP client.
 */
export interface ApiTransport {
  readonly kind: 'electron' | 'serve';
  /** One request; `requestId` is unique per transport so `cancel` can name exactly this request. */
  request(channel: ApiChannel, payload: unknown, requestId: number): Promise<ApiResult>;
  cancel(requestId: number): void;
  /** Starts delivering `event` to `listener`; returns the unsubscribe. */
  subscribe(event: ApiEventName, listener: (payload: unknown) => void): () => void;
  imageUrl(imageId: string): string;
  thumbnailUrl(imageId: string): string;
}

/** The renderer's `AtelierApi` over any transport: one method per channel, one `on…` per event. */
export function createApiClient(transport: ApiTransport): AtelierApi {
  let nextRequestId = 1;
  const build = (signal?: AbortSignal): AtelierApi => {
    const call = async (channel: ApiChannel, payload: unknown): Promise<unknown> => {
      if (signal?.aborted) throw new ApiError('Cancelled.', 'cancelled');
      const id = nextRequestId++;
      if (!signal) return unwrap(await transport.request(channel, payload, id));
      // The call settles at once on abort; the handler learns of it through the transport's cancel.
      return new Promise((resolve, reject) => {
        const onAbort = (): void => {
          transport.cancel(id);
          reject(new ApiError('Cancelled.', 'cancelled'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        transport.request(channel, payload, id).then(
          (r) => {
            signal.removeEventListener('abort', onAbort);
            try {
              resolve(unwrap(r));
            } catch (e) {
              reject(e);
            }
          },
          (e: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(e);
          },
        );
      });
    };
    const client: Record<string, unknown> = {
      transport: transport.kind,
      imageUrl: (imageId: string) => transport.imageUrl(imageId),
      thumbnailUrl: (imageId: string) => transport.thumbnailUrl(imageId),
      withSignal: (next: AbortSignal) => build(signal ? AbortSignal.any([signal, next]) : next),
    };
    for (const channel of API_CHANNELS) {
      const def = API[channel] as { method: string; toRequest: (...args: unknown[]) => unknown };
      client[def.method] = (...args: unknown[]) => call(channel, def.toRequest(...args));
    }
    for (const event of API_EVENT_NAMES) {
      client[API_EVENT_TABLE[event].subscribe] = (listener: (payload: unknown) => void) => transport.subscribe(event, listener);
    }
    return client as AtelierApi;
  };
  return build();
}
