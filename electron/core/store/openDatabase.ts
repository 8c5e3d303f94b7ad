import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkNotNewer, migrate, repairSearchIndex } from './migrations.js';
import { salvageEntries } from './salvage.js';
import { isSessionDead } from './sessions.js';
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

export interface OpenDatabaseOptions {
  /**
   * 'auto' (default) runs quick_check only when it is worth its cost (about 100 ms per 10,000
   * entries): after a writer crashed, or when a query hit damage (see markNeedsCheck). 'always' forces it.
   */
  integrityCheck?: 'auto' | 'always';
  now?: () => Date;
}

const NEEDS_CHECK_SUFFIX = '.needs-check';

/** Called when a query hits damage mid-session: the next open checks (and if need be moves aside) the file. */
/** True when a query found damage since the last open (the next open checks the file). */
export function needsCheck(file: string): boolean {
  return existsSync(file + NEEDS_CHECK_SUFFIX);
}

export function markNeedsCheck(file: string): void {
  try {
    writeFileSync(file + NEEDS_CHECK_SUFFIX, new Date().toISOString());
  } catch {
    /* best effort: the query's own error already reaches the user */
  }
}

export function openHistoryDatabase(file: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  const notices: string[] = [];
  const check = options.integrityCheck ?? 'auto';
  try {
    mkdirSync(dirname(file), { recursive: true });
    const opened = openAndPrepare(file, notices, check);
    rmSync(file + NEEDS_CHECK_SUFFIX, { force: true });
    return { ...opened, notices };
  } catch (e) {
    if (!isDamage(e)) throw asUnavailable(file, e);
    const aside = moveAside(file, (options.now ?? (() => new Date()))());
    rmSync(file + NEEDS_CHECK_SUFFIX, { force: true });
    let opened: { db: Database.Database; foundVersion: number };
    try {
      opened = openAndPrepare(file, notices, 'auto');
    } catch (e2) {
      throw asUnavailable(file, e2);
    }
    const { recovered, unreadable } = salvageEntries(aside, opened.db);
    const saved =
      recovered > 0
        ? `${recovered} entr${recovered === 1 ? 'y was' : 'ies were'} recovered into a new history${unreadable > 0 ? `; ${unreadable} could not be read` : ''}`
        : 'a new, empty history was started';
    notices.length = 0;
    notices.push(`The history database could not be read (${oneLine(e).slice(0, 200)}); it was moved to ${aside} and ${saved}.`);
    return { ...opened, notices };
  }
}

function openAndPrepare(file: string, notices: string[], check: 'auto' | 'always'): { db: Database.Database; foundVersion: number } {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    // Reads the header first: a file that is not a database fails here, and a newer schema is refused
    // before journal_mode below writes anything to it.
    checkNotNewer(db);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a crashed process loses nothing committed; a power cut may lose the last commits, never the file.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    if (check === 'always' || existsSync(file + NEEDS_CHECK_SUFFIX) || aWriterCrashed(db)) checkIntegrity(db, notices);
    const foundVersion = migrate(db);
    return { db, foundVersion };
  } catch (e) {
    db.close();
    throw e;
  }
}

/** True when a session that wrote this file ended without closing it (its process died). */
function aWriterCrashed(db: Database.Database): boolean {
  const hasSessions = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions'").get();
  if (!hasSessions) return false;
  const sessions = db.prepare('SELECT pid, started_at FROM sessions').all() as { pid: number; started_at: number }[];
  return sessions.some((s) => isSessionDead(s));
}

/** quick_check; a damaged search index is rebuilt from the entries (it is derived data), anything else is damage. */
function checkIntegrity(db: Database.Database, notices: string[]): void {
  const problem = quickCheck(db);
  if (problem === undefined) return;
  if (!/fts5|entries_fts/i.test(problem)) throw new DamagedError(problem);
  try {
    repairSearchIndex(db);
  } catch (e) {
    throw new DamagedError(`${problem}; rebuilding the search index failed: ${oneLine(e)}`);
  }
  const after = quickCheck(db);
  if (after !== undefined) throw new DamagedError(after);
  notices.push('The search index of the history was damaged and has been rebuilt from the entries; no entries were lost.');
}

function quickCheck(db: Database.Database): string | undefined {
  try {
    const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
    return problems.length > 0 ? problems.join('; ') : undefined;
  } catch (e) {
    // Since SQLite 3.44 quick_check also asks FTS5 tables, which throw instead of returning rows.
    if (!isDamage(e)) throw e;
    return oneLine(e);
  }
}

class DamagedError extends Error {
  override name = 'DamagedError';
}

// Failures of the surroundings, not of the file: moving the file aside would not help and might hurt.
const ENVIRONMENT_CODES = /^SQLITE_(BUSY|LOCKED|CANTOPEN|READONLY|FULL|IOERR|PERM|AUTH|NOMEM|NOLFS|INTERRUPT|PROTOCOL)/;

function isDamage(e: unknown): boolean {
  if (e instanceof DamagedError) return true;
  if (e instanceof HistoryError) return false;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') && !ENVIRONMENT_CODES.test(code);
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
