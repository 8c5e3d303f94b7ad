import { oneLine } from '../core/store/openDatabase.js';

/**
 * A start that fails (the history cannot be opened, the data folder is a file, the disk is read-only)
 * must say why and end the process: otherwise no window appears while the process keeps the
 * single-instance lock, and every later launch quits at once. Plain Node, so it is tested without Electron.
 */

/** What Electron's `app` and `dialog` offer for this (injected; main passes the real ones). */
export interface StartupHost {
  showErrorBox(title: string, content: string): void;
  releaseSingleInstanceLock(): void;
  exit(code: number): void;
}

export const STARTUP_FAILURE_TITLE = 'Atelier could not start';

/** The cause in one sentence, as the user reads it. */
export function startupFailureMessage(e: unknown): string {
  const line = oneLine(e).replace(/^Error:\s*/, '') || 'an unknown error';
  const sentence = line[0].toUpperCase() + line.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/** Runs the start; on failure shows the cause, lets go of the single-instance lock and exits with 1. */
export async function startOrExplain(start: () => unknown, host: StartupHost): Promise<boolean> {
  try {
    await start();
    return true;
  } catch (e) {
    try {
      host.showErrorBox(STARTUP_FAILURE_TITLE, startupFailureMessage(e));
    } finally {
      host.releaseSingleInstanceLock();
      host.exit(1);
    }
    return false;
  }
}
