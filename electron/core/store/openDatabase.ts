import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations.js';
import { HistoryError } from './types.js';

/**
 * Opens (creating or migrating) the history database. A file SQLite cannot read is moved aside
 * with its WAL, never deleted, and a fresh database takes its place; the caller gets a notice
 * to show. Errors that are not damage (locked, read-only, no space) throw and touch nothing.
 */

export interface OpenedDatabase {
  db: Database.Database;
  /** Messages for the user about what happened while opening (a moved-aside file). */
  notices: string[];
  /** The schema version found on disk (0 for a new database). */
  foundVersion: number;
}

const BUSY_TIMEOUT_MS = 5000;

export function openHistoryDatabase(file: string, now: () => Date = () => new Date()): OpenedDatabase {
  mkdirSync(dirname(file), { recursive: true });
  const notices: string[] = [];
  try {
    return { ...openAndPrepare(file), notices };
  } catch (e) {
    if (!isDamage(e)) throw asUnavailable(file, e);
    const aside = moveAside(file, now());
    notices.push(
      `The history database could not be read (${oneLine(e)}); it was moved to ${aside} and a new, empty history was started.`,
    );
  }
  try {
    return { ...openAndPrepare(file), notices };
  } catch (e) {
    throw asUnavailable(file, e);
  }
}

function openAndPrepare(file: string): { db: Database.Database; foundVersion: number } {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    // journal_mode reads the header first, so a file that is not a database fails right here.
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a crashed process loses nothing committed; a power cut may lose the last commits, never the file.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const check = db.pragma('quick_check(1)', { simple: true });
    if (check !== 'ok') throw new DamagedError(String(check));
    const foundVersion = migrate(db);
    return { db, foundVersion };
  } catch (e) {
    db.close();
    throw e;
  }
}

class DamagedError extends Error {
  override name = 'DamagedError';
}

function isDamage(e: unknown): boolean {
  if (e instanceof DamagedError) return true;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

/** Renames the file and its -wal/-shm companions together, so the aside copy stays openable. */
function moveAside(file: string, when: Date): string {
  const stamp = when.toISOString().replace(/[:.]/g, '-');
  let aside = `${file}.corrupt-${stamp}`;
  for (let n = 2; existsSync(aside); n++) aside = `${file}.corrupt-${stamp}-${n}`;
  renameSync(file, aside);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  }
  return aside;
}

function asUnavailable(file: string, e: unknown): Error {
  if (e instanceof HistoryError) return e;
  return new HistoryError(`cannot open the history database ${file}: ${oneLine(e)}`, 'unavailable');
}

export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].trim();
}
