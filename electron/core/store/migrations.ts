import type Database from 'better-sqlite3';
import { renumberSeqs } from './seqOrder.js';
import { HistoryError } from './types.js';

/**
 * Schema migrations of the history database, numbered by PRAGMA user_version.
 * Append only: a released migration never changes, a new shape is a new entry.
 */
export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

/** The prompt search index as v2 made it; also what repairSearchIndex rebuilds. Derived data only. */
export const SEARCH_INDEX_V2 = `
  -- External content: the index holds tokens only, the text stays in entries.
  -- prefix='2 3' keeps the short prefixes people type while searching cheap.
  CREATE VIRTUAL TABLE entries_fts USING fts5(
    prompt, content='entries', content_rowid='seq',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3'
  );
  CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts(rowid, prompt) VALUES (new.seq, new.prompt);
  END;
  CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts(entries_fts, rowid, prompt) VALUES ('delete', old.seq, old.prompt);
  END;
  CREATE TRIGGER entries_fts_update AFTER UPDATE OF prompt ON entries BEGIN
    INSERT INTO entries_fts(entries_fts, rowid, prompt) VALUES ('delete', old.seq, old.prompt);
    INSERT INTO entries_fts(rowid, prompt) VALUES (new.seq, new.prompt);
  END;
  INSERT INTO entries_fts(entries_fts) VALUES ('rebuild');
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'entries, their output images, writer sessions',
    up(db) {
      db.exec(`
        CREATE TABLE entries (
          seq INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          status TEXT NOT NULL
            CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
          failure_reason TEXT,
          prompt TEXT NOT NULL,
          negative_prompt TEXT NOT NULL DEFAULT '',
          seed INTEGER NOT NULL,
          settings_json TEXT NOT NULL,
          model_name TEXT NOT NULL,
          model_hash TEXT,
          provider TEXT,
          timings_json TEXT,
          parent_id TEXT REFERENCES entries(id) ON DELETE SET NULL,
          favourite INTEGER NOT NULL DEFAULT 0,
          origin TEXT NOT NULL DEFAULT 'app',
          session_id TEXT
        );
        CREATE INDEX entries_created ON entries(created_at, seq);
        CREATE INDEX entries_model ON entries(model_name, created_at, seq);
        CREATE INDEX entries_parent ON entries(parent_id) WHERE parent_id IS NOT NULL;
        CREATE INDEX entries_unfinished ON entries(status) WHERE status IN ('queued', 'running');
        CREATE TABLE entry_images (
          entry_seq INTEGER NOT NULL REFERENCES entries(seq) ON DELETE CASCADE,
          position INTEGER NOT NULL,
          image_id TEXT NOT NULL,
          seed INTEGER NOT NULL,
          PRIMARY KEY (entry_seq, position)
        ) WITHOUT ROWID;
        CREATE INDEX entry_images_image ON entry_images(image_id);
        CREATE TABLE sessions (
          id TEXT PRIMARY KEY,
          pid INTEGER NOT NULL,
          started_at INTEGER NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    description: 'full-text search over prompts; entries belong to documents; favourites index',
    up(db) {
      db.exec(`
        ALTER TABLE entries ADD COLUMN document_id TEXT;
        CREATE INDEX entries_document ON entries(document_id, created_at, seq) WHERE document_id IS NOT NULL;
        CREATE INDEX entries_favourite ON entries(created_at, seq) WHERE favourite = 1;
      `);
      db.exec(SEARCH_INDEX_V2);
    },
  },
  {
    version: 3,
    description: 'img2img/inpaint inputs (init image, mask) so those entries can be re-run exactly',
    up(db) {
      db.exec(`
        ALTER TABLE entries ADD COLUMN init_image_id TEXT;
        ALTER TABLE entries ADD COLUMN mask_image_id TEXT;
        CREATE INDEX entries_init_image ON entries(init_image_id) WHERE init_image_id IS NOT NULL;
        CREATE INDEX entries_mask_image ON entries(mask_image_id) WHERE mask_image_id IS NOT NULL;
      `);
    },
  },
  {
    version: 4,
    description: 'seq = created_at × 1024 + n, so rowid order is time order (search pages stream newest first)',
    up(db) {
      renumberSeqs(db);
      db.exec(`
        DROP INDEX entries_model;
        DROP INDEX entries_document;
        DROP INDEX entries_favourite;
        CREATE INDEX entries_model ON entries(model_name, seq);
        CREATE INDEX entries_document ON entries(document_id, seq) WHERE document_id IS NOT NULL;
        CREATE INDEX entries_favourite ON entries(seq) WHERE favourite = 1;
        INSERT INTO entries_fts(entries_fts) VALUES ('rebuild');
      `);
    },
  },
  {
    version: 5,
    description: 'favourite per image, so one image of a batch can be marked (entries.favourite = any image is)',
    up(db) {
      db.exec(`
        ALTER TABLE entry_images ADD COLUMN favourite INTEGER NOT NULL DEFAULT 0;
        UPDATE entry_images SET favourite = 1 WHERE entry_seq IN (SELECT seq FROM entries WHERE favourite = 1);
      `);
    },
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Brings the database to LATEST_VERSION; returns the version it found. Each step is its own transaction. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const found = checkNotNewer(db, migrations);
  for (const m of migrations) {
    // IMMEDIATE takes the write lock first, so two processes opening an old database migrate it once.
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= m.version) return;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return found;
}

/** Refuses (before anything is written) a database made by a newer Atelier; returns its version. */
export function checkNotNewer(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const found = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations[migrations.length - 1].version;
  if (found > latest) {
    throw new HistoryError(
      `the history database is from a newer Atelier (schema ${found}, this one knows ${latest}); update Atelier`,
      'unavailable',
    );
  }
  return found;
}

/** Drops and rebuilds the prompt search index from the entries (it holds nothing else). */
export function repairSearchIndex(db: Database.Database): void {
  const rebuild = (): void =>
    db.transaction(() => {
      db.exec(`
        DROP TRIGGER IF EXISTS entries_fts_insert;
        DROP TRIGGER IF EXISTS entries_fts_delete;
        DROP TRIGGER IF EXISTS entries_fts_update;
        DROP TABLE IF EXISTS entries_fts;
      `);
      db.exec(SEARCH_INDEX_V2);
    }).immediate();
  try {
    rebuild();
  } catch {
    // DROP needs the FTS5 constructor, which fails on a damaged config row: empty the shadow tables
    // and write a valid config first (version 4 is what FTS5 writes for our options). Shadow tables
    // are write-protected in SQLite's defensive mode; better-sqlite3's unsafe mode lifts that briefly.
    db.unsafeMode(true);
    try {
      db.transaction(() => {
        db.exec(`
          DELETE FROM entries_fts_data;
          DELETE FROM entries_fts_idx;
          DELETE FROM entries_fts_config;
          INSERT INTO entries_fts_config(k, v) VALUES ('version', 4);
        `);
      }).immediate();
    } finally {
      db.unsafeMode(false);
    }
    rebuild();
  }
}
