import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { startServe } from '../electron/host/serve.js';
import { parseServeArgs } from '../electron/host/serve/args.js';
import { stats } from './stats.js';

/**
 * UI responsiveness, measured in Debian's Chromium against `serve` (real renderer, real engine thread):
 *  1. frame times (requestAnimationFrame deltas) and long tasks while a generation runs with live
 *     previews, against the same page idle (baseline, same process);
 *  2. time per brush segment (performance measure `brush-segment`, stamped into the mask bitmap) and per
 *     stroke commit (`brush-commit`) on a 4096×4096 document, against a 512×512 document (baseline).
 *
 *   npm run bench -- ui [--steps N] [--size N] [--json]      (or: npx tsx bench/ui.ts)
 */

const root = fileURLToPath(new URL('..', import.meta.url));


/** Runs one generation straight through the API (not through the page) and waits for its end. */
async function generateViaApi(url: string, size: number, steps: number): Promise<void> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/api?token=${u.searchParams.get('token')}`);
  await new Promise((r, j) => { ws.on('open', r); ws.on('error', j); });
  const settings = { mode: 'txt2img', prompt: 'a lighthouse on a cliff at dusk', negativePrompt: '', width: size, height: size, steps, guidance: 7, scheduler: 'euler-a', seed: 1, batch: 1, strength: 1, maskFeather: 4 };
  await new Promise<void>((resolve, reject) => {
    let jobId = '';
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { id?: number; ok?: boolean; value?: { jobId: string }; error?: { message: string }; event?: string; payload?: { jobId: string } };
      if (m.id === 1) {
        if (!m.ok) reject(new Error(m.error?.message));
        jobId = m.value!.jobId;
      } else if ((m.event === 'generation:done' || m.event === 'generation:failed') && m.payload?.jobId === jobId) resolve();
    });
    // serve sends a socket only the events it subscribed to.
    for (const event of ['generation:done', 'generation:failed']) ws.send(JSON.stringify({ subscribe: event }));
    ws.send(JSON.stringify({ id: 1, channel: 'generation:start', payload: { modelId: 'sd15-tiny', settings } }));
  });
  ws.close();
}

async function saveBlankDocument(url: string, name: string, size: number): Promise<void> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/api?token=${u.searchParams.get('token')}`);
  await new Promise((r, j) => { ws.on('open', r); ws.on('error', j); });
  const doc = { type: 'atelier-document', version: 1, id: `bench-${name}`, name, width: size, height: size, layers: [], generationFrame: { x: 0, y: 0, width: 512, height: 512 }, historyEntryIds: [] };
  const reply = new Promise<{ ok: boolean; error?: { message: string } }>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
  ws.send(JSON.stringify({ id: 1, channel: 'documents:save', payload: { name, document: doc } }));
  const r = await reply;
  ws.close();
  if (!r.ok) throw new Error(r.error?.message);
}

/** rAF deltas and long tasks over `ms`, recorded in the page. */
async function recordFrames(page: Page, run: () => Promise<void>): Promise<{ frames: number[]; longTasks: number[]; longAt: [number, number][]; done: number[] }> {
  // A string, not a function: tsx's keepNames would inject a `__name` helper the page does not have.
  await page.evaluate(`(() => {
    const w = window;
    w.__frames = [];
    w.__long = [];
    w.__stop = false;
    w.__longAt = [];
    w.__t0 = performance.now();
    new PerformanceObserver((list) => list.getEntries().forEach((e) => { w.__long.push(e.duration); w.__longAt.push([Math.round(e.startTime - w.__t0), Math.round(e.duration)]); })).observe({ type: 'longtask', buffered: false });
    let last = performance.now();
    function tick(t) {
      w.__frames.push(t - last);
      last = t;
      if (!w.__stop) requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
  })()`);
  await run();
  return page.evaluate<{ frames: number[]; longTasks: number[]; longAt: [number, number][]; done: number[] }>(`(() => {
    window.__stop = true;
    const done = performance.getEntriesByName('job-done').map((m) => Math.round(m.startTime - window.__t0));
    return { frames: window.__frames.slice(2), longTasks: window.__long, longAt: window.__longAt, done };
  })()`);
}

async function openDocument(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('list', { name: 'Documents' }).getByRole('button', { name: new RegExp(`^${name}`) }).click();
  await page.getByRole('button', { name: 'Fit' }).click();
}

/** Paints `strokes` diagonal strokes of `moves` pointer moves each; returns per-segment and per-commit times. */
async function paint(page: Page, strokes: number, moves: number) {
  await page.getByRole('button', { name: 'Brush', exact: true }).click();
  await page.getByLabel('Brush size').fill('64');
  await page.evaluate('performance.clearMeasures()');
  const canvas = page.getByRole('application', { name: 'Canvas' });
  const box = (await canvas.boundingBox())!;
  const t0 = Date.now();
  for (let s = 0; s < strokes; s++) {
    const y0 = box.y + 40 + (s * (box.height - 80)) / strokes;
    await page.mouse.move(box.x + 40, y0);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 40, y0 + 60, { steps: moves });
    await page.mouse.up();
  }
  const wallMs = Date.now() - t0;
  const m = await page.evaluate<{ segment: number[]; commit: number[] }>(`({
    segment: performance.getEntriesByName('brush-segment').map((e) => e.duration),
    commit: performance.getEntriesByName('brush-commit').map((e) => e.duration),
  })`);
  return { ...m, wallMs };
}

export async function benchUi(argv: string[]): Promise<void> {
  const get = (flag: string, def: number) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  const steps = get('--steps', 30);
  const size = get('--size', 256);
  const json = argv.includes('--json');
  const data = mkdtempSync(join(tmpdir(), 'atelier-bench-ui-'));
  const serve = await startServe(
    parseServeArgs(['--data', data, '--models', join(root, 'native-models', 'test-models'), '--renderer', join(root, 'out', 'bench-renderer'), '--rebuild']),
    () => undefined,
  );
  const browser = await chromium.launch({ executablePath: process.env.ATELIER_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(serve.url);
    await page.getByLabel('Model').selectOption('sd15-tiny');

    // 1. Frame times: idle baseline, then during a generation with previews every step.
    const idle = await recordFrames(page, () => page.waitForTimeout(3000));
    // Control: the same load on the machine (engine thread busy) but a job this page did not start,
    // so the page does no work for it. The difference to the next run is the UI's own per-step cost.
    const control = await recordFrames(page, () => generateViaApi(serve.url, size, steps));
    await page.getByLabel('Width').fill(String(size));
    await page.getByLabel('Height').fill(String(size));
    await page.getByLabel('Steps').fill(String(steps));
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a lighthouse on a cliff at dusk');
    let genMs = 0;
    const busy = await recordFrames(page, async () => {
      const t = Date.now();
      await page.getByRole('button', { name: 'Generate' }).click();
      await page.getByRole('list', { name: 'Layers' }).getByRole('listitem').first().waitFor({ timeout: 300_000 });
      genMs = Date.now() - t;
    });

    // 2. Brush segments: 512² baseline, then 4096².
    await saveBlankDocument(serve.url, 'bench-512', 512);
    await saveBlankDocument(serve.url, 'bench-4096', 4096);
    await openDocument(page, 'bench-512');
    const small = await paint(page, 8, 60);
    await openDocument(page, 'bench-4096');
    const large = await paint(page, 8, 60);

    const result = {
      machine: { cores: (await import('node:os')).cpus().length, chromium: browser.version() },
      generation: { size, steps, wallMs: genMs, longTasksAtMs: busy.longAt, resultAtMs: busy.done },
      frames: {
        idle: stats(idle.frames), control: stats(control.frames), generating: stats(busy.frames),
        longTasksIdle: stats(idle.longTasks), longTasksControl: stats(control.longTasks), longTasksGenerating: stats(busy.longTasks),
      },
      brush: { doc512: { segment: stats(small.segment), commit: stats(small.commit), wallMs: small.wallMs }, doc4096: { segment: stats(large.segment), commit: stats(large.commit), wallMs: large.wallMs } },
      ratios: {
        frameMedianGeneratingOverIdle: stats(busy.frames).median / stats(idle.frames).median,
        frameP95GeneratingOverIdle: stats(busy.frames).p95 / stats(idle.frames).p95,
        segmentMedian4096Over512: stats(large.segment).median / stats(small.segment).median,
        commitMedian4096Over512: stats(large.commit).median / stats(small.commit).median,
      },
    };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'ui.json'), JSON.stringify(result, null, 2));
    if (json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const f = (x: number) => x.toFixed(2);
    console.log(`UI bench (Chromium ${result.machine.chromium}, ${result.machine.cores} cores, software rendering)`);
    console.log(`frame time idle        median ${f(result.frames.idle.median)} ms  p95 ${f(result.frames.idle.p95)} ms  max ${f(result.frames.idle.max)} ms  (n=${result.frames.idle.n})`);
    console.log(`frame time generating  median ${f(result.frames.generating.median)} ms  p95 ${f(result.frames.generating.p95)} ms  max ${f(result.frames.generating.max)} ms  (n=${result.frames.generating.n}; ${size}² × ${steps} steps in ${genMs} ms)`);
    console.log(`frame time control     median ${f(result.frames.control.median)} ms  p95 ${f(result.frames.control.p95)} ms  max ${f(result.frames.control.max)} ms  (n=${result.frames.control.n}; same job started via the API, page idle)`);
    console.log(`long tasks (>50 ms)    idle ${result.frames.longTasksIdle.n}, control ${result.frames.longTasksControl.n} (max ${f(result.frames.longTasksControl.max || 0)} ms), generating ${result.frames.longTasksGenerating.n} (max ${f(result.frames.longTasksGenerating.max || 0)} ms)`);
    console.log(`long tasks while generating at [ms after start, duration]: ${JSON.stringify(busy.longAt)}; result arrived at ${JSON.stringify(busy.done)} ms`);
    console.log(`brush segment 512²     median ${f(small.segment.length ? stats(small.segment).median : NaN)} ms  p95 ${f(stats(small.segment).p95)} ms  (n=${small.segment.length})  commit median ${f(stats(small.commit).median)} ms`);
    console.log(`brush segment 4096²    median ${f(stats(large.segment).median)} ms  p95 ${f(stats(large.segment).p95)} ms  (n=${large.segment.length})  commit median ${f(stats(large.commit).median)} ms`);
    console.log(`ratios: frame median gen/idle ${f(result.ratios.frameMedianGeneratingOverIdle)}, p95 ${f(result.ratios.frameP95GeneratingOverIdle)}; segment 4096/512 ${f(result.ratios.segmentMedian4096Over512)}; commit 4096/512 ${f(result.ratios.commitMedian4096Over512)}`);
  } finally {
    await browser.close();
    await serve.close();
    rmSync(data, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchUi(process.argv.slice(2));
