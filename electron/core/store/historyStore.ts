import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ENTRY_COLUMNS, checkSettings, decodeCursor, encodeCursor, rowToEntry, type EntryRow } from './entryRows.js';
import { ImageStore, isImageId } from './imageStore.js';
import { importPng, type ImportOptions, type ImportResult } from './importPng.js';
import { markNeedsCheck, needsCheck, openHistoryDatabase, oneLine } from './openDatabase.js';
import { MAX_CREATED_AT, allocateSeq } from './seqOrder.js';
import { imageCountQuery, sqlWhere, whereClause } from './historyWhere.js';
import { endSession, startSession } from './sessions.js';
import {
  HistoryError,
  type CompleteEntryInput,
  type CreateEntryInput,
  type GenerationRecord,
  type HistoryFilter,
  type HistoryImage,
  type HistoryPage,
  type HistoryStatus,
  type ListOptions,
} from './types.js';

/**
 * The persistent prompt history: one SQLite database (WAL) plus content-addressed image files,
 * both under the data folder. Database calls are synchronous (better-sqlite3) and fast;
 * file I/O (images, thumbnails, import) is async.
 */
export interface HistoryStore {
  readonly dataDir: string;
  readonly images: ImageStore;
  /** Things the user should be told about this open (a damaged database moved aside, interrupted jobs). */
  readonly notices: readonly string[];

  createEntry(input: CreateEntryInput): GenerationRecord;
  markRunning(id: string): GenerationRecord;
  completeEntry(id: string, result: CompleteEntryInput): GenerationRecord;
  /** No-op on an entry that already finished (e.g. cancelled first). */
  failEntry(id: string, reason: string): GenerationRecord;
  /** No-op on an entry that already finished. */
  cancelEntry(id: string): GenerationRecord;
  get(id: string): GenerationRecord | undefined;
  /** Entries whose id starts with `prefix` (at most `limit`), for typed short ids. */
  findByIdPrefix(prefix: string, limit?: number): GenerationRecord[];
  list(options?: ListOptions): HistoryPage;
  count(filter?: HistoryFilter): number;
  /** Images (one per History row) of the entries the filter selects; favouritesOnly counts favourite images. */
  countImages(filter?: HistoryFilter): number;
  /** Model names in the history with their entry counts, most used first. */
  models(): { name: string; count: number }[];
  /** The whole entry, or only the image `imageId` of its batch; the entry is a favourite while any image is. */
  setFavourite(id: string, favourite: boolean, imageId?: string): GenerationRecord;
  /** Deletes a finished entry and the image files no other entry (and no `isImageInUse`) still references. Queued/running: cancel first. */
  delete(id: string): void;
  /** Deletes one image of a batch (its file too unless still used); the entry goes with its last image. */
  deleteImage(id: string, imageId: string): void;
  /** Adds a PNG carrying generation metadata (atelier JSON or A1111 parameters) as a done entry. */
  importPng(bytes: Uint8Array, options?: ImportOptions): Promise<ImportResult>;
  /** Runs fn in one transaction (bulk inserts, imports). */
  batch<T>(fn: () => T): T;
  /** Unfinished jobs of this process become `interrupted`; the database closes. Idempotent. */
  close(): void;
}

export interface OpenHistoryOptions {
  /** See OpenDatabaseOptions: 'auto' checks the file after a crash or a damaged read; 'always' on every open. */
  integrityCheck?: 'auto' | 'always';
  /** Protects image files that something besides history uses (open documents) from `delete`. */
  isImageInUse?: (imageId: string) => boolean;
}

export const HISTORY_DB_FILE = 'history.db';
const UNFINISHED: readonly HistoryStatus[] = ['queued', 'running'];
const MAX_PAGE = 500;

export function openHistoryStore(dataDir: string, options: OpenHistoryOptions = {}): HistoryStore {
  try {
    return new SqliteHistoryStore(dataDir, options);
  } catch (e) {
    // The start-up queries (this session, jobs interrupted last time) hit damage the open did not check for:
    // check and repair now, so a start never fails on what the next start would repair.
    if (options.integrityCheck === 'always' || !needsCheck(join(dataDir, HISTORY_DB_FILE))) throw e;
    return new SqliteHistoryStore(dataDir, { ...options, integrityCheck: 'always' });
  }
}

class SqliteHistoryStore implements HistoryStore {
  readonly images: ImageStore;
  readonly notices: string[];
  private readonly db: Database.Database;
  private readonly sessionId: string;
  private readonly file: string;
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;

  constructor(
    readonly dataDir: string,
    private readonly options: OpenHistoryOptions,
  ) {
    this.file = join(dataDir, HISTORY_DB_FILE);
    const opened = openHistoryDatabase(this.file, { integrityCheck: options.integrityCheck });
    this.db = opened.db;
    this.notices = opened.notices;
    this.images = new ImageStore(dataDir);
    try {
      const { sessionId, interrupted } = startSession(this.db);
      this.sessionId = sessionId;
      if (interrupted > 0) {
        this.notices.push(
          `${interrupted} generation${interrupted === 1 ? ' was' : 's were'} interrupted when Atelier last stopped; ${interrupted === 1 ? 'it is' : 'they are'} marked interrupted in the history.`,
        );
      }
    } catch (e) {
      this.db.close();
      throw this.translate(e);
    }
  }

  createEntry(input: CreateEntryInput): GenerationRecord {
    const settings = checkSettings(input.settings);
    const name = input.model?.name?.trim();
    if (!name) throw new HistoryError('an entry needs a model name');
    const status = input.status ?? 'queued';
    if (!UNFINISHED.includes(status)) throw new HistoryError(`a new entry is queued or running, not ${status}`);
    if (input.parentId !== undefined && !this.get(input.parentId)) {
      throw new HistoryError(`parent entry ${input.parentId} not found`, 'not-found');
    }
    for (const [what, imageId] of [['init image', input.initImageId], ['mask', input.maskImageId]] as const) {
      if (imageId === undefined) continue;
      if (!this.images.has(imageId)) throw new HistoryError(`the ${what} ${String(imageId).slice(0, 12)} is not in the image store`, 'not-found');
    }
    const id = randomUUID();
    const now = Date.now();
    const createdAt = input.createdAt ?? now;
    if (!Number.isSafeInteger(createdAt) || createdAt < 0 || createdAt > MAX_CREATED_AT) throw new HistoryError('createdAt must be a time in ms');
    this.guard(() =>
      // IMMEDIATE: the seq is picked and used under one write lock, even with another process writing.
      this.db.transaction(() => {
        this.stmt(
          `INSERT INTO entries (seq, id, created_at, updated_at, status, prompt, negative_prompt, seed, settings_json,
             model_name, model_hash, provider, parent_id, document_id, init_image_id, mask_image_id, origin, session_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          allocateSeq(this.db, createdAt), id, createdAt, now, status, settings.prompt, settings.negativePrompt, settings.seed,
          JSON.stringify(settings), name, input.model.hash ?? null, input.provider ?? null, input.parentId ?? null,
          input.documentId ?? null, input.initImageId ?? null, input.maskImageId ?? null, input.origin ?? 'app', this.sessionId,
        );
      }).immediate(),
    );
    return this.require(id);
  }

  markRunning(id: string): GenerationRecord {
    const entry = this.require(id);
    if (entry.status === 'running') return entry;
    if (entry.status !== 'queued') throw conflict(entry, 'start');
    this.guard(() =>
      this.stmt("UPDATE entries SET status = 'running', session_id = ?, updated_at = ? WHERE id = ? AND status = 'queued'")
        .run(this.sessionId, Date.now(), id),
    );
    return this.require(id);
  }

  completeEntry(id: string, result: CompleteEntryInput): GenerationRecord {
    const entry = this.require(id);
    if (!UNFINISHED.includes(entry.status)) throw conflict(entry, 'complete');
    for (const img of result.images) {
      if (!isImageId(img.imageId)) throw new HistoryError(`not an image id: ${JSON.stringify(img.imageId)}`);
      if (!Number.isSafeInteger(img.seed) || img.seed < 0) throw new HistoryError(`bad seed for image ${img.imageId}`);
      // The row must never point at a file that is not there.
      if (!this.images.has(img.imageId)) throw new HistoryError(`image ${img.imageId.slice(0, 12)}… is not in the image store`, 'not-found');
    }
    this.guard(() =>
      this.db.transaction(() => {
        const seq = this.seqOf(id);
        // Another process (the app, while the CLI runs) may have cancelled it since we looked.
        const changed = this.stmt(
          `UPDATE entries SET status = 'done', failure_reason = NULL, updated_at = ?, timings_json = ?,
             provider = coalesce(?, provider), model_hash = coalesce(?, model_hash)
           WHERE seq = ? AND status IN ('queued', 'running')`,
        ).run(
          Date.now(), result.timings ? JSON.stringify(result.timings) : null, result.provider ?? null,
          result.modelHash ?? null, seq,
        ).changes;
        if (changed === 0) throw conflict(this.require(id), 'complete');
        const add = this.stmt('INSERT INTO entry_images (entry_seq, position, image_id, seed) VALUES (?, ?, ?, ?)');
        result.images.forEach((img, i) => add.run(seq, i, img.imageId, img.seed));
      })(),
    );
    return this.require(id);
  }

  failEntry(id: string, reason: string): GenerationRecord {
    return this.finish(id, 'failed', oneLine(reason).slice(0, 1000) || 'failed');
  }

  cancelEntry(id: string): GenerationRecord {
    return this.finish(id, 'cancelled', 'cancelled');
  }

  private finish(id: string, status: 'failed' | 'cancelled', reason: string): GenerationRecord {
    const entry = this.require(id);
    if (!UNFINISHED.includes(entry.status)) return entry;
    this.guard(() =>
      this.stmt(
        "UPDATE entries SET status = ?, failure_reason = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'running')",
      ).run(status, reason, Date.now(), id),
    );
    return this.require(id);
  }

  get(id: string): GenerationRecord | undefined {
    return this.guard(() => {
      if (typeof id !== 'string') return undefined;
      const row = this.stmt(`SELECT ${ENTRY_COLUMNS} FROM entries e WHERE e.id = ?`).get(id) as EntryRow | undefined;
      return row ? this.withImages([row])[0] : undefined;
    });
  }

  findByIdPrefix(prefix: string, limit = 2): GenerationRecord[] {
    return this.guard(() => {
      const p = prefix.trim().toLowerCase();
      if (!/^[0-9a-f-]{1,36}$/.test(p)) return [];
      // '~' sorts after every character an id holds, so this is an index range scan.
      const rows = this.stmt(`SELECT ${ENTRY_COLUMNS} FROM entries e WHERE e.id >= ? AND e.id < ? ORDER BY e.id LIMIT ?`)
        .all(p, `${p}~`, Math.max(1, Math.min(limit, MAX_PAGE))) as EntryRow[];
      return this.withImages(rows);
    });
  }

  list(options: ListOptions = {}): HistoryPage {
    return this.guard(() => {
      const limit = options.limit ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new HistoryError(`limit must be 1..${MAX_PAGE}`);
      const where = whereClause(options);
      if (options.cursor !== undefined) {
        where.conditions.push(`${where.match ? 'entries_fts.rowid' : 'e.seq'} < ?`);
        where.params.push(decodeCursor(options.cursor));
      }
      // Only seqs first (seq order is time order), then the page's rows. With a search, FTS5 drives:
      // it yields matches newest first and the scan stops once the page is full, however broad the words.
      const seqs = (
        where.match
          ? this.stmt(
              `SELECT e.seq FROM entries_fts JOIN entries e ON e.seq = entries_fts.rowid
               WHERE entries_fts MATCH ? ${where.conditions.map((c) => `AND ${c}`).join(' ')}
               ORDER BY entries_fts.rowid DESC LIMIT ?`,
            ).pluck().all(where.match, ...where.params, limit + 1)
          : this.stmt(`SELECT e.seq FROM entries e ${sqlWhere(where.conditions)} ORDER BY e.seq DESC LIMIT ?`)
              .pluck().all(...where.params, limit + 1)
      ) as number[];
      const rows = this.rowsBySeq(seqs);
      const more = rows.length > limit;
      const pageRows = more ? rows.slice(0, limit) : rows;
      const page: HistoryPage = { entries: this.withImages(pageRows) };
      if (more) {
        const last = pageRows[pageRows.length - 1];
        page.nextCursor = encodeCursor(last.seq);
      }
      return page;
    });
  }

  count(filter: HistoryFilter = {}): number {
    return this.guard(() => {
      const where = whereClause(filter);
      if (where.match && where.conditions.length === 0) {
        // The index holds exactly the entries (triggers keep it in step), so it can count alone.
        return this.stmt('SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?').pluck().get(where.match) as number;
      }
      if (where.match) {
        return this.stmt(
          `SELECT count(*) FROM entries_fts JOIN entries e ON e.seq = entries_fts.rowid
           WHERE entries_fts MATCH ? ${where.conditions.map((c) => `AND ${c}`).join(' ')}`,
        ).pluck().get(where.match, ...where.params) as number;
      }
      const row = this.stmt(`SELECT count(*) AS n FROM entries e ${sqlWhere(where.conditions)}`).get(...where.params) as { n: number };
      return row.n;
    });
  }

  countImages(filter: HistoryFilter = {}): number {
    return this.guard(() => {
      const q = imageCountQuery(filter);
      return this.stmt(q.sql).pluck().get(...q.params) as number;
    });
  }

  models(): { name: string; count: number }[] {
    return this.guard(() => {
      return this.stmt('SELECT model_name AS name, count(*) AS count FROM entries GROUP BY model_name ORDER BY count DESC, name')
        .all() as { name: string; count: number }[];
    });
  }

  setFavourite(id: string, favourite: boolean, imageId?: string): GenerationRecord {
    const entry = this.require(id);
    if (imageId !== undefined && !entry.images.some((i) => i.imageId === imageId)) {
      throw new HistoryError(`entry ${entry.id} has no image ${String(imageId).slice(0, 12)}`, 'not-found');
    }
    const flag = favourite ? 1 : 0;
    const seq = this.seqOf(id);
    this.guard(() =>
      this.db.transaction(() => {
        if (imageId === undefined) {
          this.stmt('UPDATE entry_images SET favourite = ? WHERE entry_seq = ?').run(flag, seq);
          this.stmt('UPDATE entries SET favourite = ? WHERE seq = ?').run(flag, seq);
          return;
        }
        this.stmt('UPDATE entry_images SET favourite = ? WHERE entry_seq = ? AND image_id = ?').run(flag, seq, imageId);
        this.stmt('UPDATE entries SET favourite = EXISTS (SELECT 1 FROM entry_images WHERE entry_seq = @seq AND favourite = 1) WHERE seq = @seq').run({ seq });
      })(),
    );
    return this.require(id);
  }

  delete(id: string): void {
    const entry = this.deletable(id);
    this.removeRows(() => this.stmt('DELETE FROM entries WHERE id = ?').run(id), [...entry.images.map((i) => i.imageId), entry.initImageId, entry.maskImageId]);
  }

  deleteImage(id: string, imageId: string): void {
    const entry = this.deletable(id);
    if (!entry.images.some((i) => i.imageId === imageId)) throw new HistoryError(`entry ${entry.id} has no image ${String(imageId).slice(0, 12)}`, 'not-found');
    if (entry.images.every((i) => i.imageId === imageId)) return this.delete(id);
    const seq = this.seqOf(id);
    this.removeRows(() => {
      this.stmt('DELETE FROM entry_images WHERE entry_seq = ? AND image_id = ?').run(seq, imageId);
      this.stmt('UPDATE entries SET favourite = EXISTS (SELECT 1 FROM entry_images WHERE entry_seq = @seq AND favourite = 1) WHERE seq = @seq').run({ seq });
    }, [imageId]);
  }

  private deletable(id: string): GenerationRecord {
    const entry = this.require(id);
    // Its job would finish into a missing row; the UI cancels first.
    if (UNFINISHED.includes(entry.status)) {
      throw new HistoryError(`cannot delete entry ${entry.id}: it is still ${entry.status}; cancel it first`, 'conflict');
    }
    return entry;
  }

  /** Runs `remove` (row deletes) in one transaction, then removes those of `candidates` nothing uses any more. */
  private removeRows(remove: () => void, candidates: (string | undefined)[]): void {
    const unused: string[] = [];
    this.guard(() =>
      this.db.transaction(() => {
        remove();
        const stillUsed = this.stmt(
          `SELECT EXISTS (SELECT 1 FROM entry_images WHERE image_id = @id)
               OR EXISTS (SELECT 1 FROM entries WHERE init_image_id = @id)
               OR EXISTS (SELECT 1 FROM entries WHERE mask_image_id = @id) AS used`,
        );
        for (const imageId of new Set(candidates)) {
          if (imageId !== undefined && !(stillUsed.get({ id: imageId }) as { used: number }).used) unused.push(imageId);
        }
      })(),
    );
    // Files go only after the rows are gone for good: a crash here leaves a stray file, never a dangling row.
    for (const imageId of unused) {
      if (this.options.isImageInUse?.(imageId)) continue;
      this.images.remove(imageId);
    }
  }

  importPng(bytes: Uint8Array, options?: ImportOptions): Promise<ImportResult> {
    return importPng(this, bytes, options);
  }

  batch<T>(fn: () => T): T {
    return this.guard(() => this.db.transaction(fn)());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      endSession(this.db, this.sessionId);
    } finally {
      this.db.close();
    }
  }

  private require(id: string): GenerationRecord {
    const entry = this.get(id);
    if (!entry) throw new HistoryError(`no history entry ${String(id).slice(0, 80)}`, 'not-found');
    return entry;
  }

  private seqOf(id: string): number {
    return (this.stmt('SELECT seq FROM entries WHERE id = ?').get(id) as { seq: number }).seq;
  }

  /** Rows in the order of `seqs`. An index that names a row the table cannot produce is damage, not an empty page. */
  private rowsBySeq(seqs: number[]): EntryRow[] {
    if (seqs.length === 0) return [];
    const rows = this.stmt(`SELECT ${ENTRY_COLUMNS} FROM entries e WHERE e.seq IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(seqs)) as EntryRow[];
    if (rows.length !== seqs.length) {
      throw Object.assign(new Error('index and table disagree'), { code: 'SQLITE_CORRUPT_INDEX' });
    }
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    return seqs.map((q) => bySeq.get(q)!);
  }

  private withImages(rows: EntryRow[]): GenerationRecord[] {
    if (rows.length === 0) return [];
    const imgRows = this.stmt(
      'SELECT entry_seq, image_id, seed, favourite FROM entry_images WHERE entry_seq IN (SELECT value FROM json_each(?)) ORDER BY entry_seq, position',
    ).all(JSON.stringify(rows.map((r) => r.seq))) as { entry_seq: number; image_id: string; seed: number; favourite: number }[];
    const bySeq = new Map<number, HistoryImage[]>();
    for (const r of imgRows) {
      let list = bySeq.get(r.entry_seq);
      if (!list) bySeq.set(r.entry_seq, (list = []));
      list.push(r.favourite ? { imageId: r.image_id, seed: r.seed, favourite: true } : { imageId: r.image_id, seed: r.seed });
    }
    return rows.map((r) => rowToEntry(r, bySeq.get(r.seq) ?? []));
  }

  private stmt(sql: string): Database.Statement {
    if (this.closed) throw new HistoryError('the history store is closed', 'unavailable');
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Every database call goes through here, so storage failures reach the user in words. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.translate(e);
    }
  }

  private translate(e: unknown): unknown {
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : '';
    // A damaged FTS5 index reports SQLITE_ERROR ("invalid fts5 file format"), not SQLITE_CORRUPT.
    const ftsDamage = code === 'SQLITE_ERROR' && /fts5|entries_fts/i.test(message);
    if (typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || ftsDamage)) {
      markNeedsCheck(this.file);
      return new HistoryError('the history database is damaged; it will be checked and repaired when the history is next opened', 'unavailable');
    }
    return sqliteToHistoryError(e);
  }
}

function conflict(entry: GenerationRecord, action: string): HistoryError {
  return new HistoryError(`cannot ${action} entry ${entry.id}: it is already ${entry.status}`, 'conflict');
}

/** Storage failures in words a user can act on; programming errors pass through unchanged. */
function sqliteToHistoryError(e: unknown): unknown {
  if (e instanceof HistoryError) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return e;
  if (code === 'SQLITE_FULL') return new HistoryError('the disk is full; the history entry was not saved', 'unavailable');
  if (code.startsWith('SQLITE_BUSY')) return new HistoryError('the history database is busy (another Atelier is writing); try again', 'unavailable');
  if (code.startsWith('SQLITE_READONLY')) return new HistoryError('the history database is read-only', 'unavailable');
  if (code.startsWith('SQLITE_IOERR')) return new HistoryError(`disk error in the history database: ${oneLine(e)}`, 'unavailable');
  return e;
}
