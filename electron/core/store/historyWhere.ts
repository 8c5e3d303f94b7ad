import { toFtsQuery } from './ftsQuery.js';
import { MAX_CREATED_AT, SEQ_SLOTS } from './seqOrder.js';
import { HISTORY_STATUSES, HistoryError, type HistoryFilter, type HistoryStatus } from './types.js';

/** The SQL conditions of a history filter (list, count), kept apart from the store's transactions. */

export interface Where {
  /** FTS5 expression for the prompt search, if any: the query then joins entries_fts. */
  match?: string;
  conditions: string[];
  params: unknown[];
}

export function whereClause(f: HistoryFilter): Where {
  const w: Where = { conditions: [], params: [] };
  if (f.query !== undefined) {
    if (typeof f.query !== 'string') throw new HistoryError('query must be text');
    w.match = toFtsQuery(f.query);
  }
  if (f.model !== undefined) {
    w.conditions.push('e.model_name = ?');
    w.params.push(f.model);
  }
  for (const [key, op] of [['from', '>='], ['to', '<']] as const) {
    const v = f[key];
    if (v === undefined) continue;
    if (!Number.isFinite(v)) throw new HistoryError(`${key} must be a time in ms`);
    w.conditions.push(`e.created_at ${op} ?`);
    w.params.push(v);
    // seq >= created_at × 1024 always holds, so a lower time bound is also a seq range the scan can seek to.
    if (key === 'from') {
      w.conditions.push('e.seq >= ?');
      w.params.push(Math.max(0, Math.min(Math.floor(v), MAX_CREATED_AT)) * SEQ_SLOTS);
    }
  }
  // An entry is a favourite while any of its images is (entries.favourite is kept so).
  if (f.favouritesOnly) w.conditions.push('e.favourite = 1');
  if (f.status !== undefined) {
    const list: readonly HistoryStatus[] = typeof f.status === 'string' ? [f.status] : f.status;
    for (const s of list) if (!HISTORY_STATUSES.includes(s)) throw new HistoryError(`unknown status ${String(s)}`);
    w.conditions.push(`e.status IN (${list.map(() => '?').join(', ') || 'NULL'})`);
    w.params.push(...list);
  }
  if (f.imageId !== undefined) {
    w.conditions.push('e.seq IN (SELECT entry_seq FROM entry_images WHERE image_id = ?)');
    w.params.push(f.imageId);
  }
  if (f.documentId !== undefined) {
    w.conditions.push('e.document_id = ?');
    w.params.push(f.documentId);
  }
  return w;
}

export function sqlWhere(conditions: string[]): string {
  return conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
}

/**
 * Counts the images (the History panel's rows) of the entries a filter selects; with favouritesOnly,
 * only the images marked favourite.
 */
export function imageCountQuery(f: HistoryFilter): { sql: string; params: unknown[] } {
  const w = whereClause(f);
  const onlyFavourite = f.favouritesOnly ? ' AND i.favourite = 1' : '';
  const entries = w.match
    ? `SELECT e.seq FROM entries_fts JOIN entries e ON e.seq = entries_fts.rowid WHERE entries_fts MATCH ? ${w.conditions.map((c) => `AND ${c}`).join(' ')}`
    : `SELECT e.seq FROM entries e ${sqlWhere(w.conditions)}`;
  return {
    sql: `SELECT count(*) FROM entry_images i WHERE i.entry_seq IN (${entries})${onlyFavourite}`,
    params: w.match ? [w.match, ...w.params] : w.params,
  };
}
