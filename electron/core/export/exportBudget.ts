import type { AtelierDocument, GenerationFrame } from '../../contract/document.js';
import { checkMemoryBudget, rgbaBytes as rgba } from '../image/memoryBudget.js';

/**
 * Export estimates for the memory budget (core/image/memoryBudget.ts), following the code paths: a
 * decoded PNG costs its inflated scanlines plus the unfiltered RGBA (pngDecode), the compositor holds
 * one RGBA canvas, the PSD writer one buffer of the file's size bound (estimatePsdBytes).
 */

/** The largest layer (or mask) decoded at once: inflate + unfilter, each a full RGBA copy. */
function largestDecode(doc: AtelierDocument): number {
  let most = 0;
  for (const l of doc.layers) {
    if (l.kind !== 'raster') continue;
    most = Math.max(most, 2 * rgba(l.width, l.height));
    if (l.mask) most = Math.max(most, 2 * rgba(l.mask.width, l.mask.height));
  }
  return most;
}

/** Upper bound of the PSD size: PackBits never grows a row by more than 1/128 plus a byte (psdExport sizes its writer with it). */
export function estimatePsdBytes(doc: AtelierDocument, xmpLength: number): number {
  const rle = (w: number, h: number, channels: number) => channels * (2 * h + h * (w + Math.ceil(w / 128) + 1));
  let n = 1 << 20;
  n += rle(doc.width, doc.height, 4) + xmpLength * 3;
  for (const l of doc.layers) {
    n += 4096; // layer record, name, additional info
    if (l.kind !== 'raster') continue;
    n += rle(l.width, l.height, 4);
    if (l.mask) n += rle(l.mask.width, l.mask.height, 1);
  }
  return n;
}

export type BudgetedWrite = 'psd' | 'ora' | 'flat';

/** Estimated peak bytes of writing `doc` as `format` (flat: PNG/JPEG/WebP of `region` or the whole canvas). */
export function exportPeakBytes(doc: AtelierDocument, format: BudgetedWrite, region?: GenerationFrame): number {
  const canvas = rgba(doc.width, doc.height);
  switch (format) {
    case 'psd':
      return canvas + largestDecode(doc) + estimatePsdBytes(doc, 0);
    case 'ora':
      // Composite for mergedimage.png, one layer decoded at a time, its PNG re-encoded.
      return 2 * canvas + largestDecode(doc);
    case 'flat': {
      const out = region ? rgba(region.width, region.height) : canvas;
      return 2 * out + largestDecode(doc);
    }
  }
}

export function checkExportBudget(doc: AtelierDocument, format: BudgetedWrite, region?: GenerationFrame): void {
  const label = format === 'flat' ? 'a flat image' : format === 'psd' ? 'PSD' : 'OpenRaster';
  checkMemoryBudget(
    exportPeakBytes(doc, format, region),
    `Writing this ${doc.width}x${doc.height} document with ${doc.layers.length} layer${doc.layers.length === 1 ? '' : 's'} as ${label}`,
    'save it as .atelier, or export a smaller area (the frame only) or fewer layers',
  );
}
