import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openHistoryStore } from './historyStore.js';
import { LATEST_VERSION, migrate, type Migration } from './migrations.js';

/** The v1 schema exactly as it shipped, frozen here so a change to migration 1 cannot go unnoticed. */
const V1_SQL = `
  CREATE TABLE entries (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
    failure_reason TEXT, prompt TEXT NOT NULL, negative_prompt TEXT NOT NULL DEFAULT '', seed INTEGER NOT NULL,
    settings_json TEXT NOT NULL, model_name TEXT NOT NULL, model_hash TEXT, provider TEXT, timings_json TEXT,
    parent_id TEXT REFERENCES entries(id) ON DELETE SET NULL, favourite INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT 'app', session_id TEXT
  );
  CREATE INDEX entries_created ON entries(created_at, seq);
  CREATE INDEX entries_model ON entries(model_name, created_at, seq);
  CREATE INDEX entries_parent ON entries(parent_id) WHERE parent_id IS NOT NULL;
  CREATE INDEX entries_unfinished ON entries(status) WHERE status IN ('queued', 'running');
  CREATE TABLE entry_images (
    entry_seq INTEGER NOT NULL REFERENCES entries(seq) ON DELETE CASCADE, position INTEGER NOT NULL,
    image_id TEXT NOT NULL, seed INTEGER NOT NULL, PRIMARY KEY (entry_seq, position)
  ) WITHOUT ROWID;
  CREATE INDEX entry_images_image ON entry_images(image_id);
  CREATE TABLE sessions (id TEXT PRIMARY KEY, pid INTEGER NOT NULL, started_at INTEGER NOT NULL);
  PRAGMA user_version = 1;
`;

const settingsJson = (prompt: string, seed: number) =>
  JSON.stringify({ mode: 'txt2img', prompt, negativePrompt: '', width: 512, height: 512, steps: 20, guidance: 7, scheduler: 'euler', seed, batch: 1, strength: 0.75, maskFeather: 4 });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-migrate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeV1Database(): void {
  const db = new Database(join(dir, 'history.db'));
  db.exec(V1_SQL);
  const insert = db.prepare(
    `INSERT INTO entries (id, created_at, updated_at, status, prompt, seed, settings_json, model_name, timings_json, favourite, session_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'sd15', ?, ?, ?)`,
  );
  insert.run('old-done', 1000, 1000, 'done', 'an old wooden windmill', 7, settingsJson('an old wooden windmill', 7), '{"loadMs":1,"encodeMs":1,"denoiseMs":1,"decodeMs":1,"totalMs":4}', 1, null);
  insert.run('old-running', 2000, 2000, 'running', 'left running by v1', 8, settingsJson('left running by v1', 8), null, 0, 'gone-session');
  db.prepare('INSERT INTO entry_images VALUES (1, 0, ?, 7)').run('a'.repeat(64));
  db.close();
}

describe('migrations', () => {
  it('brings a v1 database to the latest version, keeping and indexing its entries', () => {
    writeV1Database();
    const store = openHistoryStore(dir);
    try {
      const done = store.get('old-done')!;
      expect(done).toMatchObject({ status: 'done', favourite: true, model: { name: 'sd15' }, images: [{ imageId: 'a'.repeat(64), seed: 7 }] });
      expect(done.documentId).toBeUndefined();
      expect(done.timings?.totalMs).toBe(4);
      // Search did not exist in v1: the migration indexed the old prompts.
      expect(store.list({ query: 'windm' }).entries.map((e) => e.id)).toEqual(['old-done']);
      // v1 left a job running in a session that no longer exists.
      expect(store.get('old-running')?.status).toBe('interrupted');
      // New columns work on migrated data.
      const child = store.createEntry({
        settings: JSON.parse(settingsJson('a new windmill', 9)), model: { name: 'sd15' }, parentId: 'old-done', documentId: 'doc',
      });
      expect(store.list({ query: 'windmill', documentId: 'doc' }).entries.map((e) => e.id)).toEqual([child.id]);
      // v4 renumbered the rows by time: newest first, in the plain list and in search.
      expect(store.list().entries.map((e) => e.id)).toEqual([child.id, 'old-running', 'old-done']);
      expect(store.list({ query: 'windmill' }).entries.map((e) => e.id)).toEqual([child.id, 'old-done']);
      // v5: the favourite entry's image is a favourite of its own.
      expect(store.get('old-done')?.images).toEqual([{ imageId: 'a'.repeat(64), seed: 7, favourite: true }]);
    } finally {
      store.close();
    }
    const db = new Database(join(dir, 'history.db'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    for (const r of db.prepare('SELECT seq, created_at FROM entries').all() as { seq: number; created_at: number }[]) {
      expect(Math.floor(r.seq / 1024)).toBe(r.created_at);
    }
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });

  it('runs each step once and rolls a failing step back completely', () => {
    const db = new Database(':memory:');
    const steps: Migration[] = [
      { version: 1, description: 'a', up: (d) => d.exec('CREATE TABLE a (x)') },
      { version: 2, description: 'b', up: (d) => { d.exec('CREATE TABLE b (x)'); throw new Error('boom'); } },
    ];
    expect(() => migrate(db, steps)).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const tables = () => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables()).toEqual(['a']);
    steps[1] = { version: 2, description: 'b', up: (d) => d.exec('CREATE TABLE b (x)') };
    expect(migrate(db, steps)).toBe(1);
    expect(migrate(db, steps)).toBe(2);
    expect(tables()).toEqual(['a', 'b']);
    db.close();
  });
});
