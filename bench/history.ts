import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { GenerationSettingsInput } from '../electron/contract/generation.js';
import { HISTORY_DB_FILE, openHistoryStore, type HistoryStore } from '../electron/core/store/historyStore.js';
import { toFtsQuery } from '../electron/core/store/ftsQuery.js';
import { createRng } from '../electron/core/engine/rng.js';

/**
 * History store at scale: 10,000 entries inserted one by one (each its own transaction, as jobs
 * finish) and in one transaction; then 20 searches, first page, deep page, counts, reopen.
 * Ratios are against naive baselines run in the same process on the same file: a LIKE scan for
 * search, OFFSET paging for deep pages. Target: a search answers in under 50 ms at 10,000 entries.
 *
 *   npm run bench -- history [--entries N] [--json]      (or: npx tsx bench/history.ts)
 */

const SUBJECTS = ['cabin', 'lighthouse', 'castle', 'forest', 'portrait', 'cat', 'dragon', 'robot', 'city', 'village', 'mountain', 'river', 'ship', 'garden', 'temple', 'market', 'library', 'bridge', 'train', 'owl', 'fox', 'whale', 'astronaut', 'knight', 'witch', 'samurai', 'cottage', 'desert', 'island', 'volcano'];
const ADJECTIVES = ['wooden', 'ancient', 'glowing', 'misty', 'golden', 'rusty', 'tiny', 'enormous', 'abandoned', 'futuristic', 'cozy', 'frozen', 'neon', 'overgrown', 'floating', 'crystal', 'stormy', 'quiet', 'crowded', 'sunlit'];
const STYLES = ['oil painting', 'watercolor', 'digital art', 'photograph', 'concept art', 'pencil sketch', 'studio ghibli style', 'cinematic lighting', 'volumetric fog', 'octane render', 'highly detailed', 'sharp focus', '8k', 'bokeh', 'golden hour', 'trending on artstation', 'isometric', 'low poly', 'ukiyo-e', 'art nouveau'];
const PLACES = ['at dusk', 'in the snow', 'under the stars', 'by the sea', 'in the rain', 'at dawn', 'in autumn', 'on a hill', 'in a cave', 'above the clouds'];
const MODELS = ['sd15', 'dreamshaper-8', 'sdxl-base', 'sd-turbo', 'realistic-vision'];
const SCHEDULERS = ['euler', 'euler-a', 'ddim', 'dpmpp-2m', 'dpmpp-2m-karras'] as const;

/** Deterministic, so every run inserts the same prompts. */
function rng(seed: number): () => number {
  const r = createRng(seed);
  return () => r.nextFloat();
}

function makeSettings(i: number, rand: () => number): GenerationSettingsInput {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * rand() * list.length)]; // skewed: some words common, some rare
  const styles = Array.from({ length: 2 + Math.floor(rand() * 5) }, () => pick(STYLES));
  const prompt = `a ${pick(ADJECTIVES)} ${pick(SUBJECTS)} ${pick(PLACES)}, ${[...new Set(styles)].join(', ')}`;
  return {
    mode: 'txt2img', prompt, negativePrompt: rand() < 0.5 ? 'blurry, lowres, watermark' : '',
    width: 512, height: rand() < 0.3 ? 768 : 512, steps: 20 + Math.floor(rand() * 20), guidance: 7,
    scheduler: SCHEDULERS[i % SCHEDULERS.length], seed: Math.floor(rand() * 0xffffffff),
  };
}

const QUERIES = [
  'wood', 'wooden cabin', 'lighthouse', 'castle at dusk', 'neon city', 'cat', 'dra', 'portrait oil',
  'fox', 'misty forest', 'golden hour', 'ukiyo', 'astronaut', 'ship sea', 'cozy cottage snow', 'volcano',
  'watercolor', 'nothingmatches', 'art', 'ancient temple stars',
];

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function stats(samples: number[]): { median: number; p95: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p95: quantile(s, 0.95) };
}

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

async function imagePool(store: HistoryStore, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: i, g: 255 - i, b: 7 } } }).png().toBuffer();
    ids.push(await store.images.put(png));
  }
  return ids;
}

/** One finished job as the app records it: create (running), complete with its image. */
function recordJob(store: HistoryStore, i: number, rand: () => number, images: string[], start: number): void {
  const settings = makeSettings(i, rand);
  const e = store.createEntry({ settings, model: { name: MODELS[i % MODELS.length] }, status: 'running', createdAt: start + i * 1000 });
  store.completeEntry(e.id, {
    images: [{ imageId: images[i % images.length], seed: Number(settings.seed) }],
    timings: { loadMs: 0, encodeMs: 12, denoiseMs: 900, decodeMs: 80, totalMs: 992 },
    provider: 'CPU',
  });
  if (i % 37 === 0) store.setFavourite(e.id, true);
}

export async function benchHistory(args: string[]): Promise<void> {
  const n = Number(args[args.indexOf('--entries') + 1] ?? 10_000) || 10_000;
  const json = args.includes('--json');
  const root = mkdtempSync(join(tmpdir(), 'atelier-bench-history-'));
  const report: Record<string, number | string> = { entries: n };
  try {
    const start = Date.UTC(2025, 0, 1);

    // One by one: every job its own transactions, as in the app.
    const dirA = join(root, 'one-by-one');
    let store = openHistoryStore(dirA);
    let images = await imagePool(store, 64);
    let rand = rng(1);
    let t = performance.now();
    for (let i = 0; i < n; i++) recordJob(store, i, rand, images, start);
    report.insertOneByOneMs = performance.now() - t;
    store.close();

    // One transaction: bulk import.
    const dirB = join(root, 'batch');
    store = openHistoryStore(dirB);
    images = await imagePool(store, 64);
    rand = rng(1);
    t = performance.now();
    store.batch(() => {
      for (let i = 0; i < n; i++) recordJob(store, i, rand, images, start);
    });
    report.insertOneTransactionMs = performance.now() - t;
    store.close();

    // Reopen cost (quick_check, session bookkeeping) with n entries.
    const opens: number[] = [];
    for (let r = 0; r < 5; r++) {
      opens.push(time(() => openHistoryStore(dirB).close()));
    }
    report.openMedianMs = stats(opens).median;

    store = openHistoryStore(dirB);
    const raw = new Database(join(dirB, HISTORY_DB_FILE), { readonly: true });
    try {
      // Search: first page of 50 plus the total, as the History panel asks; every query 5 times.
      // searchMedian/P95 time both together; the page and the count are also reported apart.
      const search: number[] = [];
      const pageOnly: number[] = [];
      const countOnly: number[] = [];
      const counts: Record<string, number> = {};
      for (let r = 0; r < 5; r++) {
        for (const q of QUERIES) {
          let page = 0;
          let count = 0;
          page = time(() => store.list({ query: q, limit: 50 }));
          count = time(() => (counts[q] = store.count({ query: q })));
          pageOnly.push(page);
          countOnly.push(count);
          search.push(page + count);
        }
      }
      const s = stats(search);
      report.searchMedianMs = s.median;
      report.searchP95Ms = s.p95;
      report.searchPageP95Ms = stats(pageOnly).p95;
      report.searchCountP95Ms = stats(countOnly).p95;
      report.searchMaxHits = Math.max(...Object.values(counts));

      // Baseline: the same words as LIKE '%word%' over every prompt (what one writes without FTS).
      const likeSamples: number[] = [];
      for (let r = 0; r < 5; r++) {
        for (const q of QUERIES) {
          const words = (toFtsQuery(q) ?? '').split(' ').map((w) => w.replace(/^"|"\*$/g, ''));
          const where = words.map(() => 'prompt LIKE ?').join(' AND ');
          const params = words.map((w) => `%${w}%`);
          likeSamples.push(time(() => {
            raw.prepare(`SELECT * FROM entries WHERE ${where} ORDER BY created_at DESC, seq DESC LIMIT 50`).all(...params);
            raw.prepare(`SELECT count(*) FROM entries WHERE ${where}`).get(...params);
          }));
        }
      }
      report.likeBaselineMedianMs = stats(likeSamples).median;
      report.searchVsLikeRatio = (report.searchMedianMs as number) / (report.likeBaselineMedianMs as number);

      // First page, unfiltered and filtered.
      report.firstPageMedianMs = stats(Array.from({ length: 50 }, () => time(() => store.list({ limit: 50 })))).median;
      report.firstPageModelFilterMedianMs = stats(Array.from({ length: 50 }, () => time(() => store.list({ model: 'sdxl-base', limit: 50 })))).median;
      report.firstPageFavouritesMedianMs = stats(Array.from({ length: 50 }, () => time(() => store.list({ favouritesOnly: true, limit: 50 })))).median;

      // Deep page: page 150 of 50 by cursor vs OFFSET in the same process.
      let cursor: string | undefined;
      for (let p = 0; p < 149; p++) cursor = store.list({ limit: 50, cursor }).nextCursor;
      const deepOffset = Math.min(149 * 50, Math.max(0, n - 50));
      report.deepPageKeysetMedianMs = stats(Array.from({ length: 20 }, () => time(() => store.list({ limit: 50, cursor })))).median;
      const offsetStmt = raw.prepare('SELECT * FROM entries ORDER BY created_at DESC, seq DESC LIMIT 50 OFFSET ?');
      report.deepPageOffsetMedianMs = stats(Array.from({ length: 20 }, () => time(() => offsetStmt.all(deepOffset)))).median;

      report.countAllMedianMs = stats(Array.from({ length: 50 }, () => time(() => store.count()))).median;
      report.countModelMedianMs = stats(Array.from({ length: 50 }, () => time(() => store.count({ model: 'sd15' })))).median;
      report.target = (report.searchP95Ms as number) < 50 ? 'met (search p95 < 50 ms)' : 'MISSED (search p95 >= 50 ms)';
    } finally {
      raw.close();
      store.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const fmt = (v: number | string) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  console.log(`history store, ${n} entries (${process.platform}, node ${process.version})`);
  for (const [k, v] of Object.entries(report)) console.log(`  ${k.padEnd(30)} ${fmt(v)}`);
  console.log(`  per job, one by one:           ${((report.insertOneByOneMs as number) / n).toFixed(3)} ms`);
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) await benchHistory(process.argv.slice(2));
