import type { z } from 'zod';

/**
 * The mechanism behind the one API table (VS Code's ProxyChannel idea): a channel is declared once, with
 * its zod request schema, its response type, the `AtelierApi` method that calls it and how that method's
 * arguments become the request. The renderer's client (both transports), the preload bridge, and the
 * main-side and serve-side dispatch are all derived from the table, so adding a channel is one entry in
 * one `channels/<domain>.ts` file. Pure types + data: no Node, no DOM, no zod at runtime here.
 */

/** A type carried by the table without a runtime schema (responses and events are produced by our own core). */
export interface Carries<T> {
  readonly carries: (value: T) => T;
}
export function carries<T>(): Carries<T> {
  return { carries: (value) => value };
}

/** serve mode: a request with binary `bytes` goes by POST (the WebSocket carries JSON only). */
export interface UploadRoute {
  /** `POST /<path>`; a `fileName` field travels as `?name=`. */
  path: string;
  /** Refused while streaming past this many bytes. */
  maxBytes: number;
}

export interface Channel<M extends string = string, S extends z.ZodType = z.ZodType, R = unknown, A extends unknown[] = never[]> {
  /** The `AtelierApi` method name, e.g. `listModels`. */
  readonly method: M;
  readonly request: S;
  readonly response: Carries<R>;
  /** The method's arguments → the request (default: the method takes the request object itself). */
  readonly toRequest: (...args: A) => z.input<S>;
  readonly upload?: UploadRoute;
}

/**
 * Declares one channel. `args` maps positional method arguments onto the request (e.g.
 * `(modelId: string, text: string) => ({ modelId, text })`); without it the method takes the request.
 */
export function channel<const M extends string, S extends z.ZodType, R, A extends unknown[] = [request: z.input<S>]>(spec: {
  method: M;
  request: S;
  response: Carries<R>;
  args?: (...args: A) => z.input<S>;
  upload?: UploadRoute;
}): Channel<M, S, R, A> {
  const toRequest = spec.args ?? ((...args: A) => args[0] as z.input<S>);
  return { method: spec.method, request: spec.request, response: spec.response, toRequest, ...(spec.upload ? { upload: spec.upload } : {}) };
}

/** `args` of a channel whose method takes nothing. */
export const noArgs = (): Record<string, never> => ({});

export interface ApiEventDef<M extends string = string, P = unknown> {
  /** The `AtelierApi` subscribe method, e.g. `onGenerationDone`; it returns the unsubscribe. */
  readonly subscribe: M;
  readonly payload: Carries<P>;
}

export function apiEvent<const M extends string, P>(subscribe: M, payload: Carries<P>): ApiEventDef<M, P> {
  return { subscribe, payload };
}

/** Any table of channels / events (the precise types are kept by inference; these only bound them). */
export type ChannelTable = Record<string, { readonly method: string; readonly request: z.ZodType }>;
export type EventTable = Record<string, { readonly subscribe: string }>;

export type ArgsOf<D> = D extends { toRequest: (...args: infer A) => unknown } ? A : never;
export type ResponseOf<D> = D extends { response: Carries<infer R> } ? R : never;
export type PayloadOf<D> = D extends { payload: Carries<infer P> } ? P : never;

/** The client a table derives: one promise-returning method per channel, one subscribe method per event. */
export type ClientOf<T extends ChannelTable, E extends EventTable> = {
  [C in keyof T as T[C]['method']]: (...args: ArgsOf<T[C]>) => Promise<ResponseOf<T[C]>>;
} & {
  [K in keyof E as E[K]['subscribe']]: (listener: (event: PayloadOf<E[K]>) => void) => () => void;
};

/** A user-readable failure crossing any transport: one line, no stack. */
export interface ApiErrorPayload {
  message: string;
  /**
   * What kind of failure, for the caller's branching: transport ones below, or the core's own
   * ('cancelled', 'engine-crashed', 'out-of-memory', …). The message is what the user reads.
   */
  code: ApiErrorCode | (string & {});
}

/** Codes the transports themselves produce. */
export type ApiErrorCode = 'invalid-channel' | 'invalid-input' | 'forbidden' | 'cancelled' | 'offline' | 'unavailable' | 'runtime';

/** The one result envelope every transport carries: the handler's value, or one typed error. */
export type ApiResult<T = unknown> = { ok: true; value: T } | { ok: false; error: ApiErrorPayload };

/** Thrown by API calls in the renderer (whatever the transport): the core's one-line message and its code. */
export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A result as the value, or thrown as an ApiError. */
export function unwrap<T>(r: ApiResult<T>): T {
  if (r.ok) return r.value;
  throw new ApiError(r.error.message, r.error.code);
}
