import { UserError } from '../../shared/userError.js';
/** One CLI command: `npm run cli -- <name> …`. Each lives in its own file under host/commands/. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export interface CliCommand {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** Full `--help` text. */
  usage: string;
  /** Returns the process exit code. Throw CliError (or EngineError) for a one-line user-facing failure. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A failure explained in one line; the CLI prints `error: <message>` and exits non-zero. */
export class CliError extends UserError {
  constructor(message: string, readonly exitCode = 2) {
    super(message, 'invalid-input');
  }
}
