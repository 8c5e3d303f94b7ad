import Database from 'better-sqlite3';
import { MAX_CREATED_AT, allocateSeq } from './seqOrder.js';
import { HISTORY_STATUSES } from './types.js';

/**
 * Best-effort recovery from a damaged history file that was moved aside: copies every entry (and its
 * image list, with each image's favourite mark) that can still be read into the fresh database. Reads in
 * small batches of rowids and falls back to single rows around a damaged page, so one bad page costs the
 * entries on it, not the whole history.
 * Never throws: whatever cannot be read stays in the moved-aside file.
 */

const CHUNK = 256;
const ID = /^[0-9a-f]{64}$/;
// Columns we know, in every schema version; a missing one (older file) reads as NULL.
const COLUMNS = [
  'seq', 'id', 'created_at', 'updated_at', 'status', 'failure_reason', 'prompt', 'negative_prompt', 'seed',
  'settings_json', 'model_name', 'model_hash', 'provider', 'timings_json', 'parent_id', 'favourite', 'origin',
  'document_id', 'init_image_id', 'mask_image_id',
] as const;

type Row = Record<(typeof COLUMNS)[number], unknown>;

export interface SalvageResult {
  recovered: number;
  /** Rows an index or a scan named whose read failed. */
  unreadable: number;
}

export function salvageEntries(asidePath: string, fresh: Database.Database): SalvageResult {
  const result: SalvageResult = { recovered: 0, unreadable: 0 };
  let old: Database.Database | undefined;
  try {
    old = new Database(asidePath, { readonly: true, fileMustExist: true });
    const present = new Set((old.prepare("SELECT name FROM pragma_table_info('entries')").all() as { name: string }[]).map((r) => r.name));
    if (!present.has('seq') || !present.has('id')) return result;
    const select = COLUMNS.map((c) => (present.has(c) ? c : `NULL AS ${c}`)).join(', ');
    const range = old.prepare(`SELECT ${select} FROM entries WHERE seq IN (SELECT value FROM json_each(?))`);
    const one = old.prepare(`SELECT ${select} FROM entries WHERE seq = ?`);
    // Favourites per image since schema 5; before, an entry's favourite covered all its images (as migration 5 sets them).
    const imageColumns = new Set((old.prepare("SELECT name FROM pragma_table_info('entry_images')").all() as { name: string }[]).map((r) => r.name));
    const images = old.prepare(
      `SELECT position, image_id, seed, ${imageColumns.has('favourite') ? 'favourite' : 'NULL AS favourite'} FROM entry_images WHERE entry_seq = ? ORDER BY position`,
    );

    // Which rowids exist: a scan of the table from each end stops at the first bad page, so the
    // (created_at, seq) index and the image rows, which live on other pages, name the rest.
    const candidates = new Set<number>();
    for (const sql of [
      'SELECT seq FROM entries ORDER BY seq',
      'SELECT seq FROM entries ORDER BY seq DESC',
      'SELECT seq FROM entries INDEXED BY entries_created',
      'SELECT DISTINCT entry_seq FROM entry_images',
    ]) {
      try {
        for (const seq of old.prepare(sql).pluck().iterate() as IterableIterator<unknown>) {
          if (typeof seq === 'number' && Number.isSafeInteger(seq)) candidates.add(seq);
        }
      } catch {
        /* keep what this scan found before the damage */
      }
    }

    const rows: Row[] = [];
    const sorted = [...candidates].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; i += CHUNK) {
      const chunk = sorted.slice(i, i + CHUNK);
      let got: Row[] = [];
      try {
        got = range.all(JSON.stringify(chunk)) as Row[];
      } catch {
        /* read what we can one row at a time below */
      }
      rows.push(...got);
      // A damaged page can make a read fail, or silently come back short: ask for the missing rowids one by one.
      if (got.length < chunk.length) {
        const have = new Set(got.map((r) => r.seq));
        for (const seq of chunk) {
          if (have.has(seq)) continue;
          try {
            const r = one.get(seq) as Row | undefined;
            if (r) rows.push(r);
          } catch {
            result.unreadable++;
          }
        }
      }
    }

    // Oldest first, each given a time-ordered seq in the new file (older files numbered rows 1, 2, 3…).
    const valid = rows.filter(isPlausible).sort((a, b) => (a.created_at as number) - (b.created_at as number) || (a.seq as number) - (b.seq as number));
    const ids = new Set(valid.map((r) => r.id as string));
    const insert = fresh.prepare(
      `INSERT OR IGNORE INTO entries (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
    );
    const insertImage = fresh.prepare('INSERT OR IGNORE INTO entry_images (entry_seq, position, image_id, seed, favourite) VALUES (?, ?, ?, ?, ?)');
    // The entry is a favourite while any of its images is (historyStore keeps it so); only when its image list came back.
    const syncFavourite = fresh.prepare('UPDATE entries SET favourite = EXISTS (SELECT 1 FROM entry_images WHERE entry_seq = @seq AND favourite = 1) WHERE seq = @seq');
    fresh.transaction(() => {
      for (const r of valid) {
        // A job that was running when the file broke will never finish.
        const unfinished = r.status === 'queued' || r.status === 'running';
        const values = COLUMNS.map((c) => {
          if (c === 'status' && unfinished) return 'interrupted';
          if (c === 'failure_reason' && unfinished) return 'Atelier stopped while this job was running';
          if (c === 'parent_id' && (typeof r.parent_id !== 'string' || !ids.has(r.parent_id))) return null;
          if (c === 'negative_prompt') return typeof r.negative_prompt === 'string' ? r.negative_prompt : '';
          if (c === 'favourite') return r.favourite ? 1 : 0;
          if (c === 'origin') return typeof r.origin === 'string' ? r.origin : 'app';
          if (c === 'updated_at') return typeof r.updated_at === 'number' ? r.updated_at : r.created_at;
          return r[c] ?? null;
        });
        const seq = allocateSeq(fresh, r.created_at as number);
        values[0] = seq;
        if (insert.run(...values).changes === 0) continue;
        result.recovered++;
        try {
          let copied = 0;
          for (const img of images.all(r.seq) as { position: number; image_id: string; seed: number; favourite: unknown }[]) {
            if (typeof img.image_id !== 'string' || !ID.test(img.image_id)) continue;
            const favourite = img.favourite === null ? r.favourite : img.favourite;
            copied += insertImage.run(seq, img.position, img.image_id, img.seed, favourite ? 1 : 0).changes;
          }
          if (copied > 0) syncFavourite.run({ seq });
        } catch {
          /* the entry stays, without the image list that could not be read */
        }
      }
    })();
  } catch {
    /* a file that cannot be read at all: nothing to recover */
  } finally {
    old?.close();
  }
  return result;
}

/** Damaged pages can decode as rows of nonsense; keep only rows that look like what we wrote. */
function isPlausible(r: Row): boolean {
  if (typeof r.seq !== 'number' || typeof r.id !== 'string' || r.id.length === 0 || r.id.length > 100) return false;
  if (typeof r.created_at !== 'number' || !Number.isSafeInteger(r.created_at) || r.created_at < 0 || r.created_at > MAX_CREATED_AT) return false;
  if (typeof r.prompt !== 'string' || typeof r.model_name !== 'string') return false;
  if (typeof r.seed !== 'number' || !(HISTORY_STATUSES as readonly unknown[]).includes(r.status)) return false;
  if (typeof r.settings_json !== 'string') return false;
  try {
    if (r.timings_json !== null && typeof JSON.parse(String(r.timings_json)) !== 'object') return false;
    const s = JSON.parse(r.settings_json) as unknown;
    return typeof s === 'object' && s !== null && (s as { prompt?: unknown }).prompt === r.prompt;
  } catch {
    return false;
  }
}
