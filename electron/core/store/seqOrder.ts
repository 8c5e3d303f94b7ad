import type Database from 'better-sqlite3';

/**
 * Row ids that sort like time: seq = createdAt × 1024 + n. With rowid order equal to time order,
 * FTS5 hands back matches newest first (ORDER BY rowid DESC) and a search page stops after its
 * rows instead of sorting every match — what keeps a broad search fast at 100,000 entries.
 */
export const SEQ_SLOTS = 1024;
/** createdAt × 1024 stays a safe integer until the year 2248. */
export const MAX_CREATED_AT = Math.floor(Number.MAX_SAFE_INTEGER / SEQ_SLOTS);

/** The first free seq at or after createdAt's slot; more than 1024 entries in one millisecond spill over. */
export function allocateSeq(db: Database.Database, createdAt: number): number {
  const base = createdAt * SEQ_SLOTS;
  const top = db.prepare('SELECT max(seq) FROM entries WHERE seq >= ? AND seq < ?').pluck().get(base, base + SEQ_SLOTS) as number | null;
  let seq = top === null ? base : top + 1;
  const taken = db.prepare('SELECT 1 FROM entries WHERE seq = ?');
  while (taken.get(seq)) seq++;
  return seq;
}

/** Renumbers existing rows (and their image rows) to the time-ordered scheme, oldest first. */
export function renumberSeqs(db: Database.Database): void {
  const rows = db.prepare('SELECT seq, created_at FROM entries ORDER BY created_at, seq').all() as { seq: number; created_at: number }[];
  // Children follow their parents inside this transaction; checked once at commit.
  db.pragma('defer_foreign_keys = ON');
  // Negative first, so no new number can meet an old one still waiting its turn.
  db.exec('UPDATE entries SET seq = -seq; UPDATE entry_images SET entry_seq = -entry_seq;');
  const moveEntry = db.prepare('UPDATE entries SET seq = ? WHERE seq = ?');
  const moveImages = db.prepare('UPDATE entry_images SET entry_seq = ? WHERE entry_seq = ?');
  let previous = -1;
  for (const r of rows) {
    const seq = Math.max(r.created_at * SEQ_SLOTS, previous + 1);
    moveEntry.run(seq, -r.seq);
    moveImages.run(seq, -r.seq);
    previous = seq;
  }
}
