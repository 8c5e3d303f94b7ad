import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument } from '../electron/contract/document.js';
import { DocumentLibrary } from '../electron/core/jobs/documentLibrary.js';
import { openHistoryStore } from '../electron/core/store/historyStore.js';
import { saveDocumentAs } from '../electron/core/document/documentIO.js';
import { referencedImageIds } from '../electron/core/document/documentFile.js';

/**
 * Event-loop delay on the thread that runs export and autosave (Electron main runs them today):
 * `npm run bench -- eventloop [--size 4096] [--layers 10]`. Target: p99 ≤ 50 ms.
 */
export async function benchEventLoop(args: string[]): Promise<void> {
  const opt = (name: string, d: number) => Number(args[args.indexOf(`--${name}`) + 1]) || (args.includes(`--${name}`) ? d : d);
  const size = opt('size', 4096);
  const layerCount = opt('layers', 10);
  const dir = mkdtempSync(join(tmpdir(), 'atelier-bench-eventloop-'));
  const store = openHistoryStore(dir);
  try {
    const layers = [];
    for (let i = 0; i < layerCount; i++) {
      // Noisy pixels so PNG, zip and PSD RLE do real work.
      const png = await sharp({ create: { width: size, height: size, channels: 4, background: { r: (i * 40) & 255, g: 90, b: 160, alpha: 1 }, noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).png({ compressionLevel: 1 }).toBuffer();
      const imageId = await store.images.put(png);
      layers.push({ id: `layer-${i}`, kind: 'raster' as const, name: `layer ${i}`, imageId, x: 0, y: 0, width: size, height: size, opacity: 0.9, visible: true, blendMode: 'normal' as const });
    }
    const doc = {
      type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: 'bench', name: 'bench', width: size, height: size,
      generationFrame: { x: 0, y: 0, width: 512, height: 512 }, layers, historyEntryIds: [],
    } as unknown as AtelierDocument;
    const library = new DocumentLibrary(dir, store.images);
    const rows: string[] = [];
    const measure = async (what: string, fn: () => Promise<unknown>) => {
      const h = monitorEventLoopDelay({ resolution: 5 });
      h.enable();
      const t = performance.now();
      await fn();
      const ms = performance.now() - t;
      h.disable();
      const q = (p: number) => (h.percentile(p) / 1e6).toFixed(0);
      rows.push(`| ${what} | ${(ms / 1000).toFixed(1)} s | ${q(50)} | ${q(99)} | ${(h.max / 1e6).toFixed(0)} |`);
    };
    const images = async () => {
      const m = new Map<string, Uint8Array>();
      for (const id of referencedImageIds(doc)) m.set(id, await store.images.read(id));
      return m;
    };
    await measure(`PSD export ${size}² × ${layerCount} layers`, async () => saveDocumentAs(join(dir, 'out.psd'), doc, await images(), { frameOnly: false }));
    await measure(`ORA export ${size}² × ${layerCount} layers`, async () => saveDocumentAs(join(dir, 'out.ora'), doc, await images(), { frameOnly: false }));
    await measure(`autosave ${size}² × ${layerCount} layers`, () => library.autosave(doc));
    console.log('| work on the measured thread | wall | event-loop delay p50 (ms) | p99 (ms) | max (ms) |\n|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
