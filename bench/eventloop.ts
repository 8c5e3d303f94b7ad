import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument } from '../electron/contract/document.js';
import { DocumentWorker, inProcessDocuments, type DocumentRunner } from '../electron/core/jobs/documentWorker.js';
import type { DocumentTask } from '../electron/core/jobs/documentWork.js';
import { ImageStore } from '../electron/core/store/imageStore.js';

/**
 * Event-loop delay on the host's thread (Electron main, serve's HTTP thread) while it exports, imports and
 * autosaves a big document: the work in place (before, `inProcessDocuments`) and in the document worker
 * (after, `DocumentWorker`). `npm run bench -- eventloop [--size 4096] [--layers 8] [--only before|after]`.
 * Target: p99 ≤ 50 ms.
 */
export async function benchEventLoop(args: string[]): Promise<void> {
  const opt = (name: string, d: number) => Number(args[args.indexOf(`--${name}`) + 1]) || d;
  const size = opt('size', 4096);
  const layerCount = opt('layers', 8);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'atelier-bench-eventloop-'));
  const store = new ImageStore(dir);
  try {
    const layers = [];
    for (let i = 0; i < layerCount; i++) {
      // Noisy pixels so PNG, zip and PSD RLE do real work.
      const png = await sharp({ create: { width: size, height: size, channels: 4, background: { r: (i * 40) & 255, g: 90, b: 160, alpha: 1 }, noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).png({ compressionLevel: 1 }).toBuffer();
      const imageId = await store.put(png);
      layers.push({ id: `layer-${i}`, kind: 'raster' as const, name: `layer ${i}`, imageId, x: 0, y: 0, width: size, height: size, opacity: 0.9, visible: true, blendMode: 'normal' as const });
    }
    const document = {
      type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: 'bench', name: 'bench', width: size, height: size,
      generationFrame: { x: 0, y: 0, width: 512, height: 512 }, layers, historyEntryIds: [],
    } as unknown as AtelierDocument;
    const label = `${size}² × ${layerCount} layers`;
    const work: [string, DocumentTask][] = [
      [`PSD export ${label}`, { kind: 'export', path: join(dir, 'out.psd'), document, frameOnly: false }],
      [`ORA export ${label}`, { kind: 'export', path: join(dir, 'out.ora'), document, frameOnly: false }],
      [`autosave (.atelier pack) ${label}`, { kind: 'pack', path: join(dir, 'recovery', 'autosave.atelier'), document }],
      [`open .atelier ${label}`, { kind: 'unpack', path: join(dir, 'recovery', 'autosave.atelier') }],
      [`PSD import ${label}`, { kind: 'import', path: join(dir, 'out.psd'), name: 'out.psd' }],
      [`ORA import ${label}`, { kind: 'import', path: join(dir, 'out.ora'), name: 'out.ora' }],
    ];
    const rows: string[] = [];
    const runners: [string, () => DocumentRunner][] = [
      ['main thread (before)', () => inProcessDocuments(dir)],
      ['document worker (after)', () => new DocumentWorker(dir)],
    ];
    for (const [where, make] of runners) {
      if (only && !where.includes(only)) continue;
      const runner = make();
      try {
        for (const [what, task] of work) {
          const h = monitorEventLoopDelay({ resolution: 5 });
          h.enable();
          const t = performance.now();
          await runner.run(task);
          const ms = performance.now() - t;
          h.disable();
          const q = (p: number) => (h.percentile(p) / 1e6).toFixed(0);
          rows.push(`| ${what} | ${where} | ${(ms / 1000).toFixed(1)} s | ${q(50)} | ${q(99)} | ${(h.max / 1e6).toFixed(0)} |`);
          console.error(rows[rows.length - 1]);
        }
      } finally {
        runner.dispose();
      }
    }
    console.log('| work | runs on | wall | event-loop delay p50 (ms) | p99 (ms) | max (ms) |\n|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
