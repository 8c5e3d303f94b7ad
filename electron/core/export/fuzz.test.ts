import { beforeAll, describe, expect, it } from 'vitest';
import { packDocument, unpackDocument } from '../document/documentFile.js';
import { buildSampleDocument } from './fixtures/sampleDocument.js';
import { importImage } from './imageImport.js';
import { exportOra } from './oraExport.js';
import { importOra } from './oraImport.js';
import { decodePngRgba } from './pngDecode.js';
import { encodePng, readPngMetadata } from './pngMetadata.js';
import { exportPsd } from './psdExport.js';
import { importPsd } from './psdImport.js';

/**
 * Mutation fuzzing of every importer for a bounded time: bit flips, truncations, and absurd numbers
 * written over size fields. Each input must give a result or a one-line Error, quickly, without the
 * heap exploding. The seed is printed so a failure can be replayed (FUZZ_SEED=… npx vitest run …).
 */

const BUDGET_MS = Number(process.env['FUZZ_MS'] ?? 5000);
const PER_INPUT_MS = 3000;
const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 1_000_000);

/** mulberry32: tiny deterministic PRNG. */
function rng(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Importer = (bytes: Uint8Array) => unknown;

function mutate(base: Uint8Array, random: () => number, sizeOffsets: number[]): Uint8Array {
  const pick = random();
  if (pick < 0.3) return base.subarray(0, Math.floor(random() * base.length));
  const out = Uint8Array.from(base);
  if (pick < 0.75) {
    const flips = 1 + Math.floor(random() * 8);
    for (let i = 0; i < flips; i++) out[Math.floor(random() * out.length)] ^= 1 << Math.floor(random() * 8);
    return out;
  }
  // Absurd sizes: huge or negative numbers over the format's size fields, or anywhere.
  const at = sizeOffsets.length && random() < 0.7 ? sizeOffsets[Math.floor(random() * sizeOffsets.length)] : Math.floor(random() * (out.length - 4));
  const values = [0xffffffff, 0x7fffffff, 0x40000000, 100000, 16385, 0, 0x80000000];
  new DataView(out.buffer).setUint32(Math.max(0, Math.min(at, out.length - 4)), values[Math.floor(random() * values.length)]);
  return out;
}

let inputs: { name: string; bytes: Uint8Array; importer: Importer; sizeOffsets: number[] }[];
beforeAll(async () => {
  const s = await buildSampleDocument(48, 40);
  const png = await encodePng(s.pixels.get((s.document.layers[0] as { imageId: string }).imageId) as never, undefined);
  const psd = exportPsd(s.document, s.images);
  // A hand-made CMYK PSD (8-bit, raw merged image): the path ag-psd cannot read and we parse ourselves.
  const cw = 24, ch = 16;
  const cmyk = new Uint8Array(26 + 12 + 2 + cw * ch * 4);
  const v = new DataView(cmyk.buffer);
  cmyk.set([0x38, 0x42, 0x50, 0x53]);
  v.setUint16(4, 1); v.setUint16(12, 4); v.setUint32(14, ch); v.setUint32(18, cw); v.setUint16(22, 8); v.setUint16(24, 4);
  for (let i = 40; i < cmyk.length; i++) cmyk[i] = (i * 7) & 255;
  inputs = [
    { name: 'psd-cmyk', bytes: cmyk, importer: (b) => importPsd(b), sizeOffsets: [12, 14, 18, 22, 26, 30, 34] },
    // PSD: header height/width at 14/18, first layer record rectangle after the section lengths.
    { name: 'psd', bytes: psd, importer: (b) => importPsd(b), sizeOffsets: [14, 18] },
    { name: 'ora', bytes: await exportOra(s.document, s.images), importer: (b) => importOra(b), sizeOffsets: [] },
    { name: 'atelier', bytes: packDocument(s.document, s.images), importer: (b) => unpackDocument(b), sizeOffsets: [] },
    // PNG: IHDR width/height at 16/20, first chunk length at 8.
    {
      name: 'png', bytes: png, sizeOffsets: [8, 16, 20, 33],
      importer: async (b) => {
        try {
          readPngMetadata(b);
        } finally {
          decodePngRgba(b);
        }
      },
    },
    { name: 'png-as-document', bytes: png, importer: (b) => importImage(b), sizeOffsets: [16, 20] },
  ];
  // Zip central directory sizes: point mutations at every "PK\1\2" entry's size fields.
  for (const input of inputs.filter((i) => i.name === 'ora' || i.name === 'atelier')) {
    const b = input.bytes;
    for (let i = 0; i + 46 < b.length; i++) {
      if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 1 && b[i + 3] === 2) input.sizeOffsets.push(i + 20, i + 24);
    }
  }
});

describe('importers under mutation', () => {
  it(`never hang, crash or allocate absurdly; errors are one clear line (seed ${seed})`, async () => {
    const random = rng(seed);
    const started = Date.now();
    const heapLimit = process.memoryUsage().rss + 3 * 2 ** 30;
    const tally: Record<string, { ok: number; errors: number }> = {};
    let n = 0;
    const seen = new Set<string>();
    while (Date.now() - started < BUDGET_MS) {
      const input = inputs[n++ % inputs.length];
      const bytes = mutate(input.bytes, random, input.sizeOffsets);
      const t0 = Date.now();
      let outcome: 'ok' | 'errors' = 'ok';
      try {
        await input.importer(bytes);
      } catch (e) {
        outcome = 'errors';
        if (process.env['FUZZ_PRINT']) seen.add(`${input.name}: ${(e as Error).name}: ${(e as Error).message.slice(0, 160)}`);
        expect(e, `${input.name}: threw a non-Error`).toBeInstanceOf(Error);
        const message = (e as Error).message;
        expect(message.length, `${input.name}: empty message`).toBeGreaterThan(0);
        expect(message, `${input.name}: multi-line message`).not.toContain('\n');
        expect(e, `${input.name}: engine bug surfaced as ${(e as Error).name}: ${message}`).not.toBeInstanceOf(TypeError);
      }
      const took = Date.now() - t0;
      expect(took, `${input.name} took ${took} ms (seed ${seed}, input #${n})`).toBeLessThan(PER_INPUT_MS);
      expect(process.memoryUsage().rss, `${input.name}: memory ran away (seed ${seed})`).toBeLessThan(heapLimit);
      tally[input.name] ??= { ok: 0, errors: 0 };
      tally[input.name][outcome]++;
    }
    if (seen.size) console.log([...seen].map((m) => m.replace(/[0-9a-f]{12}…/g, "#").replace(/\d+/g, "N")).filter((m, i, a) => a.indexOf(m) === i).join("\n"));
    console.log(`fuzz seed ${seed}: ${n} inputs in ${Date.now() - started} ms`, JSON.stringify(tally));
    for (const name of ['psd', 'ora', 'atelier', 'png']) expect(tally[name]?.errors ?? 0, name).toBeGreaterThan(0);
  });
});
