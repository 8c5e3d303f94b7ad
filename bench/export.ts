import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import '../electron/core/export/agPsdSetup.js';
import { writePsdUint8Array, type Layer as PsdLayer } from 'ag-psd';
import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument, type Layer, type RasterLayer } from '../electron/contract/document.js';
import { compositeDocument } from '../electron/shared/image/composite.js';
import { DecodedImages } from '../electron/core/export/decodedImages.js';
import { buildLayerTree, type LayerNode } from '../electron/shared/image/layerTree.js';
import { decodePngGray, decodePngRgba } from '../electron/core/export/pngDecode.js';
import { exportPsd, toPsdBlendMode } from '../electron/core/export/psdExport.js';
import { sha256Hex, readDocumentFile, writeDocumentFile } from '../electron/core/document/documentFile.js';
import type { GrayImage, RgbaImage } from '../electron/core/image/types.js';

/**
 * PSD export of a large document: `npm run bench -- export [--size 8192] [--layers 20] [--full]`.
 * Default document: a size×size background plus (layers − 1) 2048² generated tiles (some masked, a
 * group), as outpainting builds them; --full makes every layer full-canvas.
 * Compared, in this process, with a baseline that decodes every layer up front and hands ag-psd plain
 * pixel arrays (the obvious way); peak RSS of each is taken in its own child process.
 */

const MB = 1024 * 1024;

/** Photo-like pixels: smooth colour fields plus a little noise, so PNG and RLE behave as on real output. */
function photoLike(width: number, height: number, seed: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  let s = seed * 2654435761;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const n = (s >>> 24) & 15;
      const i = (y * width + x) * 4;
      data[i] = ((x * 255) / width + seed * 37 + n) & 255;
      data[i + 1] = ((y * 255) / height + n) & 255;
      data[i + 2] = (((x + y) >> 4) + seed * 11 + n) & 255;
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

async function png(image: RgbaImage | GrayImage): Promise<Uint8Array> {
  const channels = image.data.length === image.width * image.height ? 1 : 4;
  return new Uint8Array(await sharp(image.data, { raw: { width: image.width, height: image.height, channels } }).png({ compressionLevel: 1 }).toBuffer());
}

export async function buildDocument(size: number, count: number, full: boolean): Promise<{ doc: AtelierDocument; images: Map<string, Uint8Array> }> {
  const images = new Map<string, Uint8Array>();
  const add = async (img: RgbaImage | GrayImage) => {
    const bytes = await png(img);
    const id = sha256Hex(bytes);
    images.set(id, bytes);
    return id;
  };
  const base = { opacity: 1, visible: true, blendMode: 'normal' as const };
  const layers: Layer[] = [{ ...base, id: 'bg', kind: 'raster', name: 'Background', x: 0, y: 0, width: size, height: size, imageId: await add(photoLike(size, size, 0)) }];
  layers.push({ ...base, id: 'g', kind: 'group', name: 'Tiles' });
  const tile = full ? size : Math.min(2048, size);
  for (let i = 1; i < count; i++) {
    const x = full ? 0 : ((i * 1777) % Math.max(1, size - tile + 512)) - 256; // some hang off the edges
    const y = full ? 0 : ((i * 2389) % Math.max(1, size - tile + 512)) - 256;
    const layer: RasterLayer = {
      ...base, id: `l${i}`, kind: 'raster', name: `Generate: tile ${i} · seed ${i}`, x, y, width: tile, height: tile,
      imageId: await add(photoLike(tile, tile, i)), opacity: i % 5 === 0 ? 0.6 : 1, blendMode: i % 7 === 0 ? 'multiply' : 'normal',
      ...(i % 2 === 0 ? { parentId: 'g' } : {}),
    };
    if (i % 3 === 0) {
      const mask: GrayImage = { width: tile, height: tile, data: new Uint8Array(tile * tile) };
      for (let p = 0; p < mask.data.length; p++) mask.data[p] = (p % tile) < tile / 2 ? 255 : 96;
      layer.mask = { imageId: await add(mask), x, y, width: tile, height: tile };
    }
    layers.push(layer);
  }
  const doc: AtelierDocument = {
    type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: 'bench', name: 'bench', width: size, height: size, layers,
    generationFrame: { x: 0, y: 0, width: 512, height: 512 }, historyEntryIds: [],
  };
  return { doc, images };
}

/** The obvious way: decode everything first, then give ag-psd plain arrays. */
function exportPsdEager(doc: AtelierDocument, images: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const masks = new Set(doc.layers.flatMap((l) => (l.kind === 'raster' && l.mask ? [l.mask.imageId] : [])));
  const pixels = new Map<string, RgbaImage | GrayImage>();
  for (const [id, bytes] of images) pixels.set(id, masks.has(id) ? decodePngGray(bytes) : decodePngRgba(bytes));
  const composite = compositeDocument(doc, pixels);
  const convert = (node: LayerNode): PsdLayer => {
    const l = node.layer;
    const common = { name: l.name, opacity: l.opacity, hidden: !l.visible, blendMode: toPsdBlendMode(l.blendMode) };
    if (node.children) return { ...common, children: node.children.map(convert) };
    const r = node.layer;
    const out: PsdLayer = { ...common, left: r.x, top: r.y, imageData: pixels.get(r.imageId) as RgbaImage };
    if (r.mask) {
      const g = pixels.get(r.mask.imageId) as GrayImage;
      const rgba = new Uint8Array(g.data.length * 4);
      for (let i = 0; i < g.data.length; i++) rgba[i * 4] = g.data[i];
      out.mask = { left: r.mask.x, top: r.mask.y, right: r.mask.x + g.width, bottom: r.mask.y + g.height, defaultColor: 0, imageData: { width: g.width, height: g.height, data: rgba } };
    }
    return out;
  };
  return writePsdUint8Array({ width: doc.width, height: doc.height, imageData: composite, children: buildLayerTree(doc.layers).map(convert) }, { noBackground: true });
}

function run(variant: string, doc: AtelierDocument, images: ReadonlyMap<string, Uint8Array>): { ms: number; bytes: number } {
  const t = performance.now();
  const bytes = variant === 'eager' ? exportPsdEager(doc, images) : exportPsd(doc, images);
  return { ms: performance.now() - t, bytes: bytes.length };
}

/**
 * Peak RSS of this process in MB. On Linux, VmHWM: getrusage's maxrss survives fork+exec and would
 * report the (large) parent's size for a freshly spawned child.
 */
function peakMB(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Child mode: one export, then the process's peak RSS. */
async function child(variant: string, docPath: string): Promise<void> {
  const { document, images } = await readDocumentFile(docPath);
  const before = peakMB();
  const r = run(variant, document, images);
  console.log(JSON.stringify({ ...r, peakMB: peakMB(), loadedMB: before }));
}

export async function benchExport(args: string[]): Promise<void> {
  const size = Number(args[args.indexOf('--size') + 1] ?? 8192) || 8192;
  const count = Number(args[args.indexOf('--layers') + 1] ?? 20) || 20;
  const full = args.includes('--full');
  let t = performance.now();
  const { doc, images } = await buildDocument(size, count, full);
  const pngMB = [...images.values()].reduce((n, b) => n + b.length, 0) / MB;
  const rasters = doc.layers.filter((l): l is RasterLayer => l.kind === 'raster');
  const rawMB = rasters.reduce((n, l) => n + l.width * l.height * 4, 0) / MB;
  console.log(`document ${size}x${size}, ${doc.layers.length} layers (${rasters.length} raster, ${rasters.filter((l) => l.mask).length} masked, 1 group): ` +
    `${rawMB.toFixed(0)} MB of RGBA, ${pngMB.toFixed(0)} MB of PNG; built in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Same process: ours, baseline, ours again (the second run of ours shows warm-up effects).
  const pixels = new DecodedImages(doc, images, 1);
  t = performance.now();
  compositeDocument(doc, pixels);
  console.log(`  composite alone: ${(performance.now() - t).toFixed(0)} ms`);
  const ours1 = run('lazy', doc, images);
  const eager = run('eager', doc, images);
  const ours2 = run('lazy', doc, images);
  const ours = Math.min(ours1.ms, ours2.ms);
  console.log(`  PSD ${(ours1.bytes / MB).toFixed(0)} MB; exportPsd ${ours1.ms.toFixed(0)} / ${ours2.ms.toFixed(0)} ms, eager baseline ${eager.ms.toFixed(0)} ms: time ratio ours/baseline ${(ours / eager.ms).toFixed(2)}`);

  // Peak RSS, each variant alone in a child process reading the same .atelier file.
  const dir = mkdtempSync(join(tmpdir(), 'atelier-bench-export-'));
  try {
    const docPath = join(dir, 'bench.atelier');
    await writeDocumentFile(docPath, doc, images);
    const self = fileURLToPath(import.meta.url);
    const peaks: Record<string, { ms: number; peakMB: number; loadedMB: number }> = {};
    for (const variant of ['lazy', 'eager']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', variant, docPath], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !line.startsWith('{')) {
        console.log(`  ${variant} child failed (status ${r.status}): ${r.stderr.trim().split('\n').pop()}`);
        continue;
      }
      peaks[variant] = JSON.parse(line);
    }
    const { lazy, eager: base } = peaks;
    if (lazy && base) {
      console.log(`  peak RSS: ours ${lazy.peakMB.toFixed(0)} MB, eager baseline ${base.peakMB.toFixed(0)} MB (document loaded: ${lazy.loadedMB.toFixed(0)} MB): ratio ${(lazy.peakMB / base.peakMB).toFixed(2)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) await child(process.argv[childAt + 1]!, process.argv[childAt + 2]!);
