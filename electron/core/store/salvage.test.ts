import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openHistoryDatabase } from './openDatabase.js';
import { salvageEntries } from './salvage.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-salvage-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const settingsJson = (prompt: string) =>
  JSON.stringify({ mode: 'txt2img', prompt, negativePrompt: '', width: 512, height: 512, steps: 20, guidance: 7, scheduler: 'euler', seed: 1, batch: 1, strength: 0.75, maskFeather: 4 });

describe('salvageEntries', () => {
  it('copies plausible rows of an older schema, drops nonsense, interrupts unfinished jobs, clears dangling parents', () => {
    const oldFile = join(dir, 'old.db');
    const old = new Database(oldFile);
    // Only the columns of schema v1 that matter; the rest are missing and read as NULL.
    old.exec(`CREATE TABLE entries (seq INTEGER PRIMARY KEY, id TEXT, created_at INTEGER, updated_at INTEGER, status TEXT,
      failure_reason TEXT, prompt TEXT, negative_prompt TEXT, seed INTEGER, settings_json TEXT, model_name TEXT,
      parent_id TEXT, favourite INTEGER, origin TEXT);
      CREATE TABLE entry_images (entry_seq INTEGER, position INTEGER, image_id TEXT, seed INTEGER);`);
    const ins = old.prepare("INSERT INTO entries VALUES (?, ?, 1000, 1000, ?, NULL, ?, '', 1, ?, 'sd15', ?, 1, 'cli')");
    ins.run(1, 'a', 'done', 'kept cabin', settingsJson('kept cabin'), null);
    ins.run(2, 'b', 'running', 'was running', settingsJson('was running'), 'a');
    ins.run(3, 'c', 'done', 'orphan child', settingsJson('orphan child'), 'gone');
    ins.run(4, 'd', 'done', 'nonsense', '{not json', null);
    ins.run(5, 'e', 'sideways', 'bad status', settingsJson('bad status'), null);
    old.prepare('INSERT INTO entry_images VALUES (1, 0, ?, 1), (1, 1, ?, 2)').run('a'.repeat(64), 'not-an-id');
    old.close();

    const fresh = openHistoryDatabase(join(dir, 'history.db')).db;
    expect(salvageEntries(oldFile, fresh)).toEqual({ recovered: 3, unreadable: 0 });
    const rows = fresh.prepare('SELECT id, status, parent_id, favourite, origin FROM entries ORDER BY seq').all();
    expect(rows).toEqual([
      { id: 'a', status: 'done', parent_id: null, favourite: 1, origin: 'cli' },
      { id: 'b', status: 'interrupted', parent_id: 'a', favourite: 1, origin: 'cli' },
      { id: 'c', status: 'done', parent_id: null, favourite: 1, origin: 'cli' },
    ]);
    expect(fresh.prepare('SELECT image_id FROM entry_images').pluck().all()).toEqual(['a'.repeat(64)]);
    // Before per-image favourites (schema 5) an entry's mark covered its images, as migration 5 sets them.
    expect(fresh.prepare('SELECT favourite FROM entry_images').pluck().all()).toEqual([1]);
    expect(fresh.prepare("SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'cab*'").pluck().get()).toBe(1);
    fresh.close();
  });

  it('returns nothing for a file that is not a database', () => {
    const fresh = openHistoryDatabase(join(dir, 'history.db')).db;
    expect(salvageEntries(join(dir, 'missing.db'), fresh)).toEqual({ recovered: 0, unreadable: 0 });
    fresh.close();
  });
});
