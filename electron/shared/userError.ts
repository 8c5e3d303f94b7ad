/**
 * The one base of every failure written for the user: a bad file, a bad request, a missing model, a full
 * disk. `message` is the sentence the user reads (hosts print its first line), `code` the kind of
 * failure callers act on ('invalid-input', 'not-found', 'cancelled', 'too-large', …; 'runtime' when
 * the work itself failed). Anything else thrown is a bug and reads as its first line with code 'runtime'.
 * Plain TypeScript: no Node, no Electron.
 */
export class UserError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = new.target.name;
  }

  /** One line for the user. */
  toUserMessage(): string {
    return firstLine(this.message);
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}

/** One line for the user from anything thrown. */
export function toUserMessage(e: unknown): string {
  if (e instanceof UserError) return e.toUserMessage();
  return firstLine(e instanceof Error ? e.message : String(e));
}

/** The one-line message and the kind of failure, as the API's error payload and the engine protocol carry them. */
export function describeFailure(e: unknown): { message: string; code: string } {
  if (e instanceof UserError) return { message: e.toUserMessage(), code: e.code };
  const code = (e as { code?: unknown } | null)?.code;
  return { message: toUserMessage(e), code: typeof code === 'string' ? code : 'runtime' };
}
