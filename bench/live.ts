import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { startServe } from '../electron/host/serve.js';
import { parseServeArgs } from '../electron/host/serve/args.js';
import { stats } from './stats.js';

/**
 * Live mode, measured in Debian's Chromium against `serve` with the demo model (128 px): `--seconds` (60) of
 * scripted painting with the Paint tool in the frame (strokes of ~10 moves, pauses of 0.3–1.2 s like a person),
 * then 5 s without input. Reports, from the page's own performance marks:
 *  - stroke end (`paint-stroke-end`) → the first draft on screen whose input was read after that stroke ended
 *    (`live-shown`, detail.seenAt ≥ the stroke's end; live reads released strokes before they reach their layer):
 *    median and p95;
 *  - drafts in flight at once (`live-job-start` / `live-job-end`), and drafts started in the quiet 5 s;
 *  - frame times (requestAnimationFrame deltas) while live.
 *
 *   npm run bench -- live [--seconds N] [--json]
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const DEMO = join(root, 'native-models', 'demo', 'atelier-shapes-128');


interface Marks {
  strokeEnd: number[];
  committed: number[];
  shown: { at: number; seenAt: number }[];
  starts: number[];
  ends: number[];
  frames: number[];
}

async function readMarks(page: Page): Promise<Marks> {
  return page.evaluate<Marks>(`({
    strokeEnd: performance.getEntriesByName('paint-stroke-end').map((e) => e.startTime),
    committed: performance.getEntriesByName('paint-committed').map((e) => e.startTime),
    shown: performance.getEntriesByName('live-shown').map((e) => ({ at: e.startTime, seenAt: e.detail.seenAt })),
    starts: performance.getEntriesByName('live-job-start').map((e) => e.startTime),
    ends: performance.getEntriesByName('live-job-end').map((e) => e.startTime),
    frames: window.__frames ?? [],
  })`);
}

/** Most drafts in flight at one time, from start/end marks (an end at the same instant counts first). */
export function maxInFlight(starts: number[], ends: number[]): number {
  const ev = [...starts.map((t) => [t, 1] as const), ...ends.map((t) => [t, -1] as const)].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let n = 0;
  let most = 0;
  for (const [, d] of ev) most = Math.max(most, (n += d));
  return most;
}

/** Per stroke: its end → the first draft shown whose input was read after the stroke ended. */
export function strokeLatencies(m: Pick<Marks, 'strokeEnd' | 'shown'>): { latencies: number[]; unanswered: number } {
  const latencies: number[] = [];
  let unanswered = 0;
  m.strokeEnd.forEach((end) => {
    const hit = m.shown.find((s) => s.seenAt >= end);
    if (hit) latencies.push(hit.at - end);
    else unanswered++;
  });
  return { latencies, unanswered };
}

/** Polls an expression in the page (waitForFunction would eval, which the app's CSP forbids). */
async function until(page: Page, expr: string, timeoutMs: number): Promise<void> {
  const t = Date.now();
  while (!(await page.evaluate<boolean>(expr))) {
    if (Date.now() - t > timeoutMs) throw new Error(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function benchLive(argv: string[]): Promise<void> {
  const i = argv.indexOf('--seconds');
  const seconds = i >= 0 ? Number(argv[i + 1]) : 60;
  const c = argv.indexOf('--control-seconds');
  const controlSeconds = c >= 0 ? Number(argv[c + 1]) : 20;
  const json = argv.includes('--json');
  const data = mkdtempSync(join(tmpdir(), 'atelier-bench-live-'));
  const loadBefore = loadavg();
  const serve = await startServe(parseServeArgs(['--data', data, '--models', DEMO, '--renderer', join(root, 'out', 'bench-renderer'), '--rebuild']), () => undefined);
  const browser = await chromium.launch({ executablePath: process.env.ATELIER_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(serve.url);
    await page.getByLabel('Model').selectOption('atelier-shapes-128');
    await page.getByRole('button', { name: 'Fit' }).click();
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a large red circle on the left on a sky background');
    await page.getByRole('button', { name: 'Paint', exact: true }).click();
    await page.getByLabel('Brush size').fill('14');
    const canvas = page.getByRole('application', { name: 'Canvas' });
    const box = (await canvas.boundingBox())!;
    const v = { zoom: Number(await canvas.getAttribute('data-zoom')), panX: Number(await canvas.getAttribute('data-pan-x')), panY: Number(await canvas.getAttribute('data-pan-y')) };
    const at = (x: number, y: number) => ({ x: box.x + v.panX + x * v.zoom, y: box.y + v.panY + y * v.zoom });
    const colours = ['#2050e0', '#30a040', '#f0d020', '#d8402f', '#ffffff', '#202020'];
    // A seeded walk, so two runs paint the same strokes.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const recordFrames = () => page.evaluate(`(() => {
      const w = window; w.__frames = []; w.__stop = false; let last = performance.now();
      const tick = (t) => { w.__frames.push(t - last); last = t; if (!w.__stop) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    })()`);
    const stopFrames = () => page.evaluate<number[]>('(() => { window.__stop = true; return window.__frames.slice(2); })()');
    let strokes = 0;
    const paintFor = async (ms: number) => {
      const t0 = Date.now();
      while (Date.now() - t0 < ms) {
        if (strokes % 5 === 0) await page.getByLabel('Paint colour').fill(colours[(strokes / 5) % colours.length]);
        const x0 = 10 + rnd() * 100;
        const y0 = 10 + rnd() * 100;
        const a = at(x0, y0);
        const b = at(Math.min(120, Math.max(8, x0 + (rnd() - 0.5) * 80)), Math.min(120, Math.max(8, y0 + (rnd() - 0.5) * 80)));
        await page.mouse.move(a.x, a.y);
        await page.mouse.down();
        await page.mouse.move(b.x, b.y, { steps: 10 });
        await page.mouse.up();
        strokes++;
        await page.waitForTimeout(300 + rnd() * 900);
      }
      return Date.now() - t0;
    };

    // Control: the same painting with Live off — what this (shared, loaded) machine gives the page anyway.
    await recordFrames();
    await paintFor(controlSeconds * 1000);
    const control = await stopFrames();
    await until(page, `performance.getEntriesByName('paint-committed').length === ${strokes}`, 60_000);

    await page.getByRole('button', { name: 'Live mode' }).click();
    await until(page, `performance.getEntriesByName('live-shown').length > 0`, 120_000);
    await page.evaluate(`(() => { performance.clearMarks('paint-stroke-end'); performance.clearMarks('paint-committed'); })()`);
    strokes = 0;
    await recordFrames();
    const paintMs = await paintFor(seconds * 1000);
    // Wait for the last stroke to be answered, then 5 s of nothing.
    await until(page, `performance.getEntriesByName('paint-committed').length === ${strokes}`, 60_000);
    await until(page, `(() => { const c = performance.getEntriesByName('paint-stroke-end').at(-1).startTime; return performance.getEntriesByName('live-shown').some((e) => e.detail.seenAt >= c); })()`, 60_000);
    // The last stroke is stored and answered; a draft its storing caused (if any) has ended: input is over.
    await page.waitForTimeout(500);
    await until(page, `performance.getEntriesByName('live-job-start').length === performance.getEntriesByName('live-job-end').length`, 60_000);
    const live = { ...(await readMarks(page)), frames: await stopFrames() };
    const startsBeforeQuiet = live.starts.length;
    await page.waitForTimeout(5000);
    const after = await readMarks(page);
    const quietStarts = after.starts.length - startsBeforeQuiet;
    const loadAfter = loadavg();

    const { latencies, unanswered } = strokeLatencies(live);
    // Where the time goes: stroke end → its layer update; one draft job (upload + engine + answer); draft image load.
    const commitMs = live.committed.map((c, k) => c - live.strokeEnd[k]);
    const jobMs = live.ends.map((e, k) => e - live.starts[k]).filter((x) => x >= 0);
    const result = {
      machine: { cores: cpus().length, loadavgBefore: loadBefore, loadavgAfter: loadAfter, chromium: browser.version() },
      painting: { seconds: paintMs / 1000, strokes, drafts: live.shown.length, draftsStarted: live.starts.length },
      latencyMs: stats(latencies),
      unanswered,
      maxInFlight: maxInFlight(after.starts, after.ends),
      quietStarts,
      frameMs: stats(live.frames),
      frameControlMs: stats(control),
      breakdownMs: { strokeCommit: stats(commitMs), draftJob: stats(jobMs) },
    };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'live.json'), JSON.stringify(result, null, 2));
    if (json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
    console.log(`Live bench: demo model 128², Chromium ${result.machine.chromium}, ${result.machine.cores} cores, load average ${loadBefore.map((x) => x.toFixed(1)).join('/')} before, ${loadAfter.map((x) => x.toFixed(1)).join('/')} after`);
    console.log(`| measure | value | target |`);
    console.log(`|---|---|---|`);
    console.log(`| painting | ${result.painting.seconds.toFixed(0)} s, ${strokes} strokes, ${result.painting.draftsStarted} drafts started, ${result.painting.drafts} shown | |`);
    console.log(`| stroke end → updated preview, median | ${f(result.latencyMs.median)} ms | ≤ 500 ms |`);
    console.log(`| stroke end → updated preview, p95 (max) | ${f(result.latencyMs.p95)} ms (${f(result.latencyMs.max)} ms) | |`);
    console.log(`| strokes never answered | ${unanswered} | 0 |`);
    console.log(`| drafts in flight at once, max | ${result.maxInFlight} | ≤ 1 |`);
    console.log(`| drafts started in 5 s without input | ${quietStarts} | 0 |`);
    console.log(`| frame time while live, median / p95 (max) | ${result.frameMs.median.toFixed(1)} / ${result.frameMs.p95.toFixed(1)} ms (${result.frameMs.max.toFixed(0)} ms), n=${result.frameMs.n} | p95 ≤ 20 ms |`);
    console.log(`| frame time, the same painting with Live off (${controlSeconds} s), median / p95 (max) | ${result.frameControlMs.median.toFixed(1)} / ${result.frameControlMs.p95.toFixed(1)} ms (${result.frameControlMs.max.toFixed(0)} ms), n=${result.frameControlMs.n} | (control) |`);
    console.log(`| of which: stroke end → stroke in its layer, median / p95 | ${f(result.breakdownMs.strokeCommit.median)} / ${f(result.breakdownMs.strokeCommit.p95)} ms | |`);
    console.log(`| of which: one draft (upload, engine, answer), median / p95 | ${f(result.breakdownMs.draftJob.median)} / ${f(result.breakdownMs.draftJob.p95)} ms | |`);
  } finally {
    await browser.close();
    await serve.close();
    rmSync(data, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchLive(process.argv.slice(2));
