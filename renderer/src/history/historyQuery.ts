import type { ApiRequest } from '../../../electron/contract/api.js';

/**
 * What the History panel's controls hold, and the `history:list` request it means. Dates are the
 * `<input type="date">` strings (local days), so "to 2026-03-05" includes the whole of that day.
 * Pure: no React, no store.
 */
export interface HistoryFilterControls {
  query: string;
  /** '' = all models. */
  model: string;
  /** 'YYYY-MM-DD' or ''. */
  from: string;
  to: string;
  favouritesOnly: boolean;
  /** 'document': this document's generations; 'all': every entry. */
  scope: 'document' | 'all';
}

export const EMPTY_FILTER: HistoryFilterControls = { query: '', model: '', from: '', to: '', favouritesOnly: false, scope: 'document' };

export type HistoryListRequest = Omit<ApiRequest<'history:list'>, 'cursor' | 'limit'>;

/** Local midnight of a 'YYYY-MM-DD' day, or undefined for '' or a malformed/impossible date. */
export function dayStart(day: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(y, mo - 1, d);
  if (t.getFullYear() !== y || t.getMonth() !== mo - 1 || t.getDate() !== d) return undefined;
  return t.getTime();
}

/** The day after, at local midnight (DST-safe: calendar arithmetic, not +24 h). */
function nextDayStart(day: string): number | undefined {
  const start = dayStart(day);
  if (start === undefined) return undefined;
  const t = new Date(start);
  return new Date(t.getFullYear(), t.getMonth(), t.getDate() + 1).getTime();
}

export function listRequest(f: HistoryFilterControls, documentId: string): HistoryListRequest {
  const req: HistoryListRequest = {};
  if (f.scope === 'document') req.documentId = documentId;
  const query = f.query.trim();
  if (query) req.query = query.slice(0, 1000);
  if (f.model) req.model = f.model;
  const from = dayStart(f.from);
  const to = nextDayStart(f.to);
  if (from !== undefined) req.from = from;
  if (to !== undefined) req.to = to;
  if (f.favouritesOnly) req.favouritesOnly = true;
  return req;
}

/** True when the filter narrows anything beyond the scope (the empty-list message says so). */
export function isFiltered(f: HistoryFilterControls): boolean {
  return f.query.trim() !== '' || f.model !== '' || dayStart(f.from) !== undefined || dayStart(f.to) !== undefined || f.favouritesOnly;
}
