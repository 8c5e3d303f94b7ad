import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePng } from '../export/pngMetadata.js';
import { createRgba } from '../image/types.js';
import { openHistoryStore } from './historyStore.js';
import { INTERRUPTED_REASON } from './sessions.js';
import { HistoryError } from './types.js';

let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-crash-'));
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface WriterReport {
  running: string;
  queued: string;
  done: string[];
}

/** Starts the writer child and resolves once it has committed its work and is idling mid-job. */
function startWriter(doneCount: number): Promise<{ child: ChildProcess; report: WriterReport }> {
  const script = join(import.meta.dirname, 'crashWriter.testutil.ts');
  // `node --import tsx` keeps it one process, so SIGKILL hits the writer itself.
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir, String(doneCount)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('READY\n')) resolve({ child, report: JSON.parse(out.split('\n')[0]) as WriterReport });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${err}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('crash safety', () => {
  it('keeps every committed entry and marks the killed job interrupted, but not while its process lives', async () => {
    const { child, report } = await startWriter(5);

    // The writer is alive: opening the history beside it must not steal its running job.
    const beside = openHistoryStore(dir);
    expect(beside.get(report.running)?.status).toBe('running');
    expect(beside.notices).toEqual([]);
    beside.close();

    await killed(child);
    const store = openHistoryStore(dir);
    try {
      for (const id of [report.running, report.queued]) {
        const e = store.get(id)!;
        expect(e.status).toBe('interrupted');
        expect(e.failureReason).toBe(INTERRUPTED_REASON);
      }
      expect(store.notices).toEqual([expect.stringMatching(/^2 generations were interrupted/)]);
      for (const id of report.done) {
        const e = store.get(id)!;
        expect(e.status).toBe('done');
        expect(e.images).toHaveLength(1);
        expect(store.images.has(e.images[0].imageId)).toBe(true);
      }
      expect(store.count({ query: 'finished' })).toBe(5);
    } finally {
      store.close();
    }
    // Told once: the next open has nothing new to say.
    const again = openHistoryStore(dir);
    expect(again.notices).toEqual([]);
    again.close();
  });

  it('marks its own unfinished jobs interrupted on a clean close', () => {
    const store = openHistoryStore(dir);
    const e = store.createEntry({
      settings: { mode: 'txt2img', prompt: 'p', width: 64, height: 64, steps: 1, guidance: 1, scheduler: 'euler', seed: 1 },
      model: { name: 'm' }, status: 'running',
    });
    store.close();
    const reopened = openHistoryStore(dir);
    expect(reopened.get(e.id)?.status).toBe('interrupted');
    reopened.close();
  });
});

describe('damaged or foreign database files', () => {
  it('checks a file on open only after a crash or a damaged read, or when asked', async () => {
    fill(10);
    await damagePagesOf(['entries_created']);
    const quick = openHistoryStore(dir);
    expect(quick.notices).toEqual([]);
    quick.close();
    const checked = openHistoryStore(dir, { integrityCheck: 'always' });
    expect(checked.notices[0]).toMatch(/moved to .*history\.db\.corrupt-/);
    checked.close();
  });

  it('moves a garbage file aside, says so, and starts a fresh history', () => {
    const garbage = Buffer.from('this is not an SQLite database, just some bytes '.repeat(200));
    writeFileSync(join(dir, 'history.db'), garbage);
    const store = openHistoryStore(dir, {});
    try {
      expect(store.notices).toHaveLength(1);
      expect(store.notices[0]).toMatch(/could not be read .* moved to .*history\.db\.corrupt-.* new, empty history/);
      const aside = readdirSync(dir).filter((f) => f.startsWith('history.db.corrupt-'));
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(dir, aside[0]))).toEqual(garbage);
      expect(store.count()).toBe(0);
      store.createEntry({
        settings: { mode: 'txt2img', prompt: 'fresh', width: 64, height: 64, steps: 1, guidance: 1, scheduler: 'euler', seed: 1 },
        model: { name: 'm' },
      });
      expect(store.count({ query: 'fresh' })).toBe(1);
    } finally {
      store.close();
    }
  });

  function fill(count: number): void {
    const store = openHistoryStore(dir);
    store.batch(() => {
      for (let i = 0; i < count; i++) {
        store.createEntry({
          settings: { mode: 'txt2img', prompt: `entry number ${i} with some words`, width: 64, height: 64, steps: 1, guidance: 1, scheduler: 'euler', seed: i },
          model: { name: 'm' },
        });
      }
    });
    store.close();
  }

  /** Pages through the whole history once: the read that hits a damaged page says so (the next open repairs). */
  function readAllFindsDamage(): void {
    const first = openHistoryStore(dir);
    expect(() => {
      let cursor: string | undefined;
      do cursor = first.list({ limit: 500, cursor }).nextCursor;
      while (cursor);
    }).toThrow(/damaged; it will be checked and repaired/);
    first.close();
  }

  /** Scribbles over the pages (past their first 100 bytes) that hold the named table or index. */
  async function damagePagesOf(names: string[], everyNthLeaf = 1): Promise<void> {
    const Database = (await import('better-sqlite3')).default;
    const file = join(dir, 'history.db');
    const db = new Database(file, { readonly: true });
    const pages = (db.prepare(`SELECT pageno, pagetype FROM dbstat WHERE name IN (${names.map(() => '?').join(',')}) ORDER BY pageno`)
      .all(...names) as { pageno: number; pagetype: string }[])
      .filter((p, i) => everyNthLeaf === 1 || (p.pagetype === 'leaf' && i % everyNthLeaf === 0));
    db.close();
    expect(pages.length).toBeGreaterThan(0);
    const bytes = readFileSync(file);
    for (const { pageno } of pages) {
      const start = (pageno - 1) * 4096;
      for (let i = start + 100; i < start + 4096; i += 5) bytes[i] = (i * 31) & 0xff;
    }
    writeFileSync(file, bytes);
  }

  it('rebuilds a damaged search index from the entries and loses nothing', async () => {
    fill(2000);
    // The search index's own records are wrong (as after a bad write), the file structure is fine.
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'history.db'));
    db.unsafeMode(true);
    db.exec("UPDATE entries_fts_config SET v = 0 WHERE k = 'version'; DELETE FROM entries_fts_data WHERE rowid > 10");
    db.close();
    // It was closed cleanly, so the open is not checked; the first search finds the damage and says so.
    const first = openHistoryStore(dir);
    expect(() => first.list({ query: 'number' })).toThrow(/damaged; it will be checked and repaired/);
    first.close();
    const store = openHistoryStore(dir);
    try {
      expect(store.notices).toEqual([expect.stringMatching(/search index .* rebuilt .* no entries were lost/)]);
      expect(store.count()).toBe(2000);
      expect(store.count({ query: 'number 1234' })).toBe(1);
      expect(readdirSync(dir).some((f) => f.includes('corrupt'))).toBe(false);
    } finally {
      store.close();
    }
  });

  it('moves aside a database with damaged entry pages and recovers every entry it can still read', async () => {
    fill(2000);
    await damagePagesOf(['entries'], 4);
    readAllFindsDamage();
    const store = openHistoryStore(dir);
    try {
      expect(store.notices).toHaveLength(1);
      const m = /could not be read .* moved to .*history\.db\.corrupt-\S+ and (\d+) entries were recovered into a new history/.exec(store.notices[0]);
      expect(m).not.toBeNull();
      const recovered = Number(m![1]);
      expect(recovered).toBeGreaterThan(1000);
      expect(recovered).toBeLessThan(2000);
      expect(store.count()).toBe(recovered);
      // What came back is whole: searchable, paged, with its settings.
      let seen = 0;
      let cursor: string | undefined;
      do {
        const page = store.list({ limit: 500, cursor });
        for (const e of page.entries) expect(e.settings.prompt).toMatch(/^entry number \d+ with some words$/);
        seen += page.entries.length;
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toBe(recovered);
      expect(store.count({ query: 'words' })).toBe(recovered);
    } finally {
      store.close();
    }
  });

  it('recovers per-image favourites: the marked image of a batch stays marked, its siblings stay unmarked', async () => {
    const writer = openHistoryStore(dir);
    const png = async (r: number) => new Uint8Array(await encodePng(createRgba(8, 8, [r, 0, 0, 255])));
    const [a, b] = [await writer.images.put(await png(1)), await writer.images.put(await png(2))];
    const marked = new Map<string, 'none' | 'second' | 'both'>();
    writer.batch(() => {
      for (let i = 0; i < 600; i++) {
        const e = writer.createEntry({
          settings: { mode: 'txt2img', prompt: `batch number ${i} with some words`, width: 64, height: 64, steps: 1, guidance: 1, scheduler: 'euler', seed: i, batch: 2 },
          model: { name: 'm' },
        });
        writer.completeEntry(e.id, { images: [{ imageId: a, seed: i }, { imageId: b, seed: i + 1 }] });
        const kind = i % 3 === 0 ? 'second' : i % 3 === 1 ? 'both' : 'none';
        if (kind === 'second') writer.setFavourite(e.id, true, b);
        if (kind === 'both') writer.setFavourite(e.id, true);
        marked.set(e.id, kind);
      }
    });
    writer.close();
    await damagePagesOf(['entries'], 4);
    readAllFindsDamage();
    const store = openHistoryStore(dir);
    try {
      expect(store.notices[0]).toMatch(/entries were recovered into a new history/);
      const recovered = store.count();
      expect(recovered).toBeGreaterThan(300);
      expect(recovered).toBeLessThan(600);
      const want = { none: [false, false], second: [false, true], both: [true, true] };
      let favouriteImages = 0;
      let cursor: string | undefined;
      do {
        const page = store.list({ limit: 500, cursor });
        for (const e of page.entries) {
          const kind = marked.get(e.id)!;
          expect(e.images.map((img) => img.favourite === true)).toEqual(want[kind]);
          expect(e.favourite).toBe(kind !== 'none');
          favouriteImages += want[kind].filter(Boolean).length;
        }
        cursor = page.nextCursor;
      } while (cursor);
      expect(store.countImages({ favouritesOnly: true })).toBe(favouriteImages);
    } finally {
      store.close();
    }
  });

  it('damage that the start-up queries hit (not the open) is repaired in the same open: a start never fails', async () => {
    fill(2000);
    // A running job with no session (as left by an older Atelier) makes the open's sweep update its row
    // without any sign of a crash, so the open does not check the file first.
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'history.db'));
    db.prepare("UPDATE entries SET status = 'running', session_id = NULL WHERE seq = (SELECT max(seq) FROM entries)").run();
    db.close();
    await damagePagesOf(['entries']);
    const store = openHistoryStore(dir);
    try {
      expect(store.notices).toEqual([expect.stringMatching(/could not be read .* moved to .*history\.db\.corrupt-/)]);
      expect(readdirSync(dir).filter((f) => f.startsWith('history.db.corrupt-') && !f.includes('-wal') && !f.includes('-shm'))).toHaveLength(1);
      expect(existsSync(join(dir, 'history.db.needs-check'))).toBe(false);
    } finally {
      store.close();
    }
  });

  it('refuses a database from a newer Atelier without touching it', async () => {
    const Database = (await import('better-sqlite3')).default;
    const file = join(dir, 'history.db');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    const before = readFileSync(file);
    expect(() => openHistoryStore(dir)).toThrow(/newer Atelier \(schema 99/);
    expect(readFileSync(file)).toEqual(before);
    expect(readdirSync(dir).some((f) => f.includes('corrupt'))).toBe(false);
  });

  it('explains a data folder it cannot use instead of crashing', () => {
    const notADir = join(dir, 'file');
    writeFileSync(notADir, 'x');
    expect(() => openHistoryStore(notADir)).toThrow(HistoryError);
    expect(() => openHistoryStore(notADir)).toThrow(/cannot open the history database/);
    expect(existsSync(join(notADir, 'history.db'))).toBe(false);
  });
});
