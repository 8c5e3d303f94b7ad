import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { chromium, type Page } from 'playwright-core';
import { startServe } from '../electron/host/serve.js';
import { parseServeArgs } from '../electron/host/serve/args.js';
import { openHistoryStore } from '../electron/core/store/historyStore.js';
import { stats } from './stats.js';

/**
 * The History panel with 10,000 entries, in Debian's Chromium against `serve`: frame times (rAF deltas)
 * and long tasks while the list scrolls from top to bottom, against the same panel filtered to 100
 * entries (baseline, same page, same scroll speed in frames). Also: rows in the DOM, page requests,
 * and the time for a search to answer at 10,000.
 *
 *   npm run bench -- history-panel [--entries N] [--json]      (or: npx tsx bench/historyPanel.ts)
 */

const root = fileURLToPath(new URL('..', import.meta.url));


/** Fills a data folder: `n` entries over 16 real 128 px images; every 100th prompt carries the word "rare". */
async function seed(dataDir: string, n: number): Promise<void> {
  const store = openHistoryStore(dataDir);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) {
      const png = await sharp({ create: { width: 128, height: 128, channels: 3, background: { r: i * 16, g: 255 - i * 16, b: (i * 53) % 256 } } }).png().toBuffer();
      ids.push(await store.images.put(png));
    }
    const words = ['castle', 'forest', 'harbour', 'desert', 'glacier', 'market', 'orchard', 'canyon'];
    const t0 = Date.now() - n * 1000;
    store.batch(() => {
      for (let i = 0; i < n; i++) {
        const prompt = `a ${words[i % words.length]} at dawn, study ${i}${i % 100 === 0 ? ', rare' : ''}`;
        const settings = { mode: 'txt2img' as const, prompt, width: 128, height: 128, steps: 4, guidance: 7, scheduler: 'euler' as const, seed: i };
        const e = store.createEntry({ settings, model: { name: 'sd15-tiny' }, status: 'running', createdAt: t0 + i * 1000 });
        store.completeEntry(e.id, { images: [{ imageId: ids[i % ids.length], seed: i }] });
      }
    });
  } finally {
    store.close();
  }
}

/** Scrolls the history list from top to bottom in `frames` animation frames, recording frame deltas and long tasks. */
async function scrollThrough(page: Page, frames: number): Promise<{ frames: number[]; longTasks: number[]; maxRows: number; reachedEnd: boolean }> {
  // A string, not a function: tsx's keepNames would inject a `__name` helper the page does not have.
  return page.evaluate(`new Promise((resolve) => {
    const box = document.querySelector('.history-scroll');
    const list = document.querySelector('.history-list');
    const long = [];
    const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => long.push(e.duration)));
    obs.observe({ type: 'longtask', buffered: false });
    const deltas = [];
    let maxRows = 0;
    let i = 0;
    let last = performance.now();
    function tick(t) {
      deltas.push(t - last);
      last = t;
      maxRows = Math.max(maxRows, list.children.length);
      i++;
      box.scrollTop = (box.scrollHeight - box.clientHeight) * Math.min(1, i / ${frames});
      if (i < ${frames} + 30) requestAnimationFrame(tick);
      else {
        obs.disconnect();
        const lastRow = list.lastElementChild;
        resolve({ frames: deltas.slice(1), longTasks: long, maxRows, reachedEnd: !!lastRow && box.scrollTop + box.clientHeight >= box.scrollHeight - 2 });
      }
    }
    requestAnimationFrame(tick);
  })`);
}

export async function benchHistoryPanel(argv: string[]): Promise<void> {
  const i = argv.indexOf('--entries');
  const n = i >= 0 ? Number(argv[i + 1]) : 10_000;
  const json = argv.includes('--json');
  const data = mkdtempSync(join(tmpdir(), 'atelier-bench-history-panel-'));
  const t0 = performance.now();
  await seed(data, n);
  const seedMs = performance.now() - t0;
  const serve = await startServe(
    parseServeArgs(['--data', data, '--models', join(root, 'native-models', 'test-models'), '--renderer', join(root, 'out', 'bench-renderer'), '--rebuild']),
    () => undefined,
  );
  const browser = await chromium.launch({ executablePath: process.env.ATELIER_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    let listRequests = 0;
    page.on('websocket', (ws) => ws.on('framesent', (f) => void (String(f.payload).includes('"history:list"') && listRequests++)));
    await page.goto(serve.url);
    const rows = page.getByRole('list', { name: 'History' }).getByRole('listitem');
    await page.getByRole('radio', { name: 'All', exact: true }).check();
    await page.getByLabel('History count').filter({ hasText: String(n) }).waitFor();

    // Baseline: the same panel narrowed to 1% of the entries by a search.
    const search = page.getByRole('searchbox', { name: 'Search history' });
    const s0 = performance.now();
    await search.fill('rare');
    await page.getByLabel('History count').filter({ hasText: String(Math.ceil(n / 100)) }).waitFor();
    const searchMs = performance.now() - s0;
    await rows.first().waitFor();
    const small = await scrollThrough(page, 240);
    await search.fill('');
    await page.getByLabel('History count').filter({ hasText: String(n) }).waitFor();
    await rows.first().waitFor();
    listRequests = 0;
    const big = await scrollThrough(page, 240);
    // Keyset pages load in order, so the oldest row appears once every page up to it has arrived.
    const c0 = performance.now();
    await rows.filter({ hasText: 'study 0, rare' }).waitFor();
    const catchUpMs = performance.now() - c0;
    const bigRequests = listRequests;

    const fs = stats(small.frames);
    const fb = stats(big.frames);
    const result = {
      entries: n,
      seedMs: Math.round(seedMs),
      searchAnswerMs: Math.round(searchMs),
      baseline: { entries: Math.ceil(n / 100), frames: fs, longTasks: small.longTasks.length, maxRowsInDom: small.maxRows, reachedEnd: small.reachedEnd },
      full: { entries: n, frames: fb, longTasks: big.longTasks.length, longestTaskMs: Math.max(0, ...big.longTasks), maxRowsInDom: big.maxRows, reachedEnd: big.reachedEnd, pageRequests: bigRequests, oldestRowShownAfterScrollMs: Math.round(catchUpMs) },
      ratios: { frameMedianFullOverBaseline: fb.median / fs.median, frameP95FullOverBaseline: fb.p95 / fs.p95 },
    };
    if (json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const f = (x: number) => x.toFixed(1);
    console.log(`History panel bench (Chromium ${browser.version()}, software rendering), ${n} entries (seeded in ${result.seedMs} ms)`);
    console.log(`search "rare" answered in the panel in ${result.searchAnswerMs} ms`);
    console.log(`baseline ${result.baseline.entries} rows: frame median ${f(fs.median)} ms, p95 ${f(fs.p95)}, max ${f(fs.max)}; long tasks ${small.longTasks.length}; rows in DOM ≤ ${small.maxRows}`);
    console.log(`full ${n} rows, top to bottom in 240 frames: frame median ${f(fb.median)} ms, p95 ${f(fb.p95)}, max ${f(fb.max)}; long tasks ${big.longTasks.length} (longest ${f(result.full.longestTaskMs)} ms); rows in DOM ≤ ${big.maxRows}; history:list requests ${bigRequests}; oldest row shown ${result.full.oldestRowShownAfterScrollMs} ms after the scroll ended`);
    console.log(`ratios full/baseline: frame median ${result.ratios.frameMedianFullOverBaseline.toFixed(2)}, p95 ${result.ratios.frameP95FullOverBaseline.toFixed(2)}`);
  } finally {
    await browser.close();
    await serve.close();
    rmSync(data, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchHistoryPanel(process.argv.slice(2));
