import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument } from '../../contract/document.js';
import { DocumentIoError, saveDocumentAs } from '../../core/document/documentIO.js';
import { exportPeakBytes } from '../../core/export/exportBudget.js';
import { MEMORY_BUDGET_BYTES } from '../../core/image/memoryBudget.js';
import { transparentPng } from './bombs.js';

/**
 * Security suite, part 3: big images within the limits. A real 1 MB PNG of 16000x16000 as a layer:
 * writing it as PSD would hold ~5 GiB (composite, decoded layer, the writer's buffer), so it is refused
 * with one sentence before anything is decoded, and memory does not move. A 4096² document of ten
 * layers (the size issue 11 benchmarks) stays within the budget.
 */

const MB = 1 << 20;
const dir = mkdtempSync(join(tmpdir(), 'atelier-big-'));
let png: Buffer;
beforeAll(async () => {
  png = await transparentPng(16000, 16000);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function documentWith(size: number, layers: number, imageId: string): AtelierDocument {
  return {
    type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: 'big', name: 'big', width: size, height: size,
    layers: Array.from({ length: layers }, (_, i) => ({
      id: `l${i}`, kind: 'raster' as const, name: `layer ${i}`, x: 0, y: 0, width: size, height: size, opacity: 1, visible: true, blendMode: 'normal' as const, imageId,
    })),
    generationFrame: { x: 0, y: 0, width: 512, height: 512 }, historyEntryIds: [],
  };
}

describe('big images stay within the memory budget or are refused up front', () => {
  it('a 16000² PNG layer → PSD, ORA and flat PNG are refused in one sentence before decoding', async () => {
    expect(png.length).toBeLessThan(1.2 * MB);
    const id = createHash('sha256').update(png).digest('hex');
    const doc = documentWith(16000, 1, id);
    const images = new Map([[id, new Uint8Array(png)]]);
    const before = process.memoryUsage().rss;
    for (const ext of ['psd', 'ora', 'png']) {
      const t = Date.now();
      const err = (await saveDocumentAs(join(dir, `big.${ext}`), doc, images).catch((e: unknown) => e)) as DocumentIoError;
      expect(err).toBeInstanceOf(DocumentIoError);
      expect(err.message).toMatch(/^"big\.\w+": Writing this 16000x16000 document with 1 layer as .* would need about \d+\.\d GiB of memory, more than the 2\.0 GiB Atelier allows for one operation; save it as \.atelier/);
      expect(err.message).not.toContain('\n');
      expect(err.code).toBe('too-large');
      expect(Date.now() - t).toBeLessThan(2000);
    }
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * MB);
    // Exporting only the 512² frame fits (the layer still decodes whole, once).
    expect(exportPeakBytes(doc, 'flat', doc.generationFrame)).toBeLessThan(MEMORY_BUDGET_BYTES);
  });

  it('a 4096² document of ten layers is within the budget for every format', () => {
    const doc = documentWith(4096, 10, 'a'.repeat(64));
    for (const format of ['psd', 'ora', 'flat'] as const) expect(exportPeakBytes(doc, format), format).toBeLessThan(MEMORY_BUDGET_BYTES);
  });
});
