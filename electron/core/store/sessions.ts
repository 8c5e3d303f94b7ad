import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { uptime } from 'node:os';

/**
 * Writer sessions: every open store registers one, and queued/running entries carry the session
 * that owns them. On open, entries of sessions whose process is gone become `interrupted` —
 * but a job the app is running right now stays `running` when the CLI opens the same history.
 */

export const INTERRUPTED_REASON = 'Atelier stopped while this job was running';

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface SessionRow {
  id: string;
  pid: number;
  started_at: number;
}

/** A session is dead when its process is gone, or when it started before this machine last booted (pid reused). */
export function isSessionDead(s: { pid: number; started_at: number }, now = Date.now()): boolean {
  const bootTime = now - uptime() * 1000;
  return s.started_at < bootTime - 60_000 || !processAlive(s.pid);
}

/** Registers this process's session, retires dead ones, interrupts their jobs. Returns the session id and how many jobs it interrupted. */
export function startSession(db: Database.Database, now = Date.now()): { sessionId: string; interrupted: number } {
  const sessionId = randomUUID();
  let interrupted = 0;
  db.transaction(() => {
    const sessions = db.prepare('SELECT id, pid, started_at FROM sessions').all() as SessionRow[];
    const dead = sessions.filter((s) => isSessionDead(s, now)).map((s) => s.id);
    const live = new Set(sessions.map((s) => s.id).filter((id) => !dead.includes(id)));
    const del = db.prepare('DELETE FROM sessions WHERE id = ?');
    for (const id of dead) del.run(id);
    const orphans = db
      .prepare("SELECT seq, session_id FROM entries WHERE status IN ('queued', 'running')")
      .all() as { seq: number; session_id: string | null }[];
    const mark = db.prepare(
      "UPDATE entries SET status = 'interrupted', failure_reason = ?, updated_at = ? WHERE seq = ?",
    );
    for (const o of orphans) {
      if (o.session_id !== null && live.has(o.session_id)) continue;
      mark.run(INTERRUPTED_REASON, now, o.seq);
      interrupted++;
    }
    db.prepare('INSERT INTO sessions (id, pid, started_at) VALUES (?, ?, ?)').run(sessionId, process.pid, now);
  }).immediate();
  return { sessionId, interrupted };
}

/** On a clean close: this session's unfinished jobs will never finish, so say so now. */
export function endSession(db: Database.Database, sessionId: string, now = Date.now()): void {
  db.transaction(() => {
    db.prepare(
      "UPDATE entries SET status = 'interrupted', failure_reason = ?, updated_at = ? WHERE session_id = ? AND status IN ('queued', 'running')",
    ).run(INTERRUPTED_REASON, now, sessionId);
    db.prepare('DELETE FROM sessions WHERE id = ?').run(sessionId);
  }).immediate();
}
