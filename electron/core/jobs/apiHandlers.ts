import { API_REQUESTS, type ApiChannel, type ApiErrorPayload } from '../../contract/api.js';
import { describe, type Handlers } from './studioBackend.js';

export type InvokeResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorPayload };

/**
 * The one wrapper every transport calls: the channel must be declared, the payload must parse with
 * its schema, and whatever goes wrong comes back as a one-line error instead of a throw.
 */
export async function invokeChannel(handlers: Handlers, channel: unknown, payload: unknown): Promise<InvokeResult> {
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
    const handler = handlers[c] as (req: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (e) {
    return { ok: false, error: describe(e) };
  }
}
