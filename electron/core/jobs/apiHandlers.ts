import { API_REQUESTS, type ApiChannel, type ApiHandlers, type RequestContext } from '../../contract/api.js';
import type { ApiResult } from '../../contract/channel.js';
import { describeFailure } from '../../shared/userError.js';

/** The contract's result envelope (contract/channel.ts), as every transport answers. */
export type InvokeResult = ApiResult;

const NOT_CANCELLED: RequestContext = { signal: new AbortController().signal };

/**
 * The one wrapper every transport calls: the channel must be declared, the payload must parse with
 * its schema, and whatever goes wrong comes back as a one-line error instead of a throw.
 */
export async function invokeChannel(handlers: ApiHandlers, channel: unknown, payload: unknown, context: RequestContext = NOT_CANCELLED): Promise<ApiResult> {
  if (typeof channel !== 'string' || !Object.hasOwn(API_REQUESTS, channel)) {
    return { ok: false, error: { message: `Unknown request "${String(channel).slice(0, 60)}".`, code: 'invalid-channel' } };
  }
  const c = channel as ApiChannel;
  const parsed = API_REQUESTS[c].safeParse(payload ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return { ok: false, error: { message: `Invalid ${c} request: ${where}${issue?.message ?? 'bad payload'}`, code: 'invalid-input' } };
  }
  try {
    const handler = handlers[c] as (req: unknown, context: RequestContext) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data, context) };
  } catch (e) {
    return { ok: false, error: describeFailure(e) };
  }
}

/**
 * One connection's requests in flight (a serve socket, the Electron window): each has the id its client
 * gave it, and a cancel naming that id aborts exactly that request — its handler's signal fires and the
 * caller gets one 'cancelled' answer at once. Closing the connection cancels whatever it left running.
 */
export class RequestDispatcher {
  private readonly inFlight = new Map<number, AbortController>();

  constructor(private readonly handlers: ApiHandlers) {}

  async invoke(channel: unknown, payload: unknown, requestId?: unknown): Promise<ApiResult> {
    if (typeof requestId !== 'number' || this.inFlight.has(requestId)) return invokeChannel(this.handlers, channel, payload);
    const controller = new AbortController();
    this.inFlight.set(requestId, controller);
    const cancelled = new Promise<ApiResult>((resolve) =>
      controller.signal.addEventListener('abort', () => resolve({ ok: false, error: { message: 'Cancelled.', code: 'cancelled' } }), { once: true }),
    );
    try {
      return await Promise.race([invokeChannel(this.handlers, channel, payload, { signal: controller.signal }), cancelled]);
    } finally {
      this.inFlight.delete(requestId);
    }
  }

  /** True when the request was still running. */
  cancel(requestId: unknown): boolean {
    const controller = typeof requestId === 'number' ? this.inFlight.get(requestId) : undefined;
    controller?.abort();
    return controller !== undefined;
  }

  cancelAll(): void {
    for (const controller of this.inFlight.values()) controller.abort();
  }
}
