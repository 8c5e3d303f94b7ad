import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RasterLayer } from '../../contract/document.js';
import { compositeDocument } from '../../shared/image/composite.js';
import { buildSampleDocument, type SampleDocument } from '../../core/export/fixtures/sampleDocument.js';
import { readImageMetadata } from '../../core/export/pngMetadata.js';
import { decodeTextChunk, readPngChunks } from '../../core/export/pngChunks.js';
import { COMPOSITE_KEYWORD, type CompositeProvenance } from '../../core/export/flatProvenance.js';
import { readDocumentFile, writeDocumentFile } from '../../core/document/documentFile.js';
import { CliError, type CliIo } from './command.js';
import { exportCommand } from './export.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-cli-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let sample: SampleDocument;
let docPath: string;
beforeAll(async () => {
  sample = await buildSampleDocument();
  docPath = join(dir, 'boat.atelier');
  await writeDocumentFile(docPath, sample.document, sample.images);
});

async function run(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await exportCommand.run(args, io);
  return { code, out, err };
}

describe('cli export', () => {
  it('writes PSD, ORA and .atelier that reopen with every layer', async () => {
    for (const ext of ['psd', 'ora', 'atelier']) {
      const out = join(dir, `copy.${ext}`);
      const r = await run(docPath, '--out', out, '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out[0])).toMatchObject({ format: ext, layers: 7, width: 64, height: 48, warnings: [] });
      // Convert back to .atelier through the CLI and compare the layer list.
      const back = join(dir, `back-from-${ext}.atelier`);
      expect((await run(out, '--out', back)).code).toBe(0);
      const reopened = await readDocumentFile(back);
      expect(reopened.document.layers.map((l) => [l.id, l.name, l.kind === 'raster' && !!(l as RasterLayer).mask])).toEqual(
        sample.document.layers.map((l) => [l.id, l.name, l.kind === 'raster' && !!(l as RasterLayer).mask]),
      );
    }
  });

  it('writes the flattened picture to PNG (a composite: its layers\' generations, no parameters), JPEG with quality, frame only', async () => {
    const png = join(dir, 'flat.png');
    const r = await run(docPath, '--out', png);
    expect(r.out[0]).toMatch(/^wrote flat\.png: 64x48, 7 layers, [\d.]+ KiB$/);
    const raw = await sharp(readFileSync(png)).ensureAlpha().raw().toBuffer();
    expect(Buffer.compare(raw, Buffer.from(compositeDocument(sample.document, sample.pixels).data))).toBe(0);
    // Seven layers make this picture: the top layer's parameters would not reproduce it (issue 12, item 6).
    const meta = await readImageMetadata(readFileSync(png));
    expect([meta.parameters, meta.atelier]).toEqual([undefined, undefined]);
    const chunk = readPngChunks(readFileSync(png)).chunks.map((c) => decodeTextChunk(c)).find((t) => t?.keyword === COMPOSITE_KEYWORD);
    const composite = JSON.parse(chunk!.text) as CompositeProvenance;
    expect(composite.note).toMatch(/composite of \d+ layers/);
    expect(composite.layers.find((l) => l.settings.prompt === 'a small wooden boat')).toMatchObject({ model: 'sd-turbo', settings: { negativePrompt: 'blurry', steps: 20 } });

    const small = join(dir, 'q10.jpg'), big = join(dir, 'q95.jpg');
    await run(docPath, '--out', small, '--quality', '10');
    await run(docPath, '--out', big, '--quality', '95');
    expect(readFileSync(small).length).toBeLessThan(readFileSync(big).length);

    const doc = { ...sample.document, generationFrame: { x: 8, y: 4, width: 16, height: 8 } };
    const framed = join(dir, 'framed.atelier');
    await writeDocumentFile(framed, doc, sample.images);
    const webp = join(dir, 'frame.webp');
    await run(framed, '--out', webp, '--frame');
    const info = await sharp(readFileSync(webp)).metadata();
    expect([info.format, info.width, info.height]).toEqual(['webp', 16, 8]);
  });

  it('imports a PNG with metadata as one named layer; a composite PNG claims no generation', async () => {
    // A picture that is one untouched generated layer carries its parameters.
    const inp = sample.document.layers.find((l) => l.id === 'inp') as RasterLayer;
    const settings = { ...inp.source!.settings!, width: 64, height: 64 };
    const pixels = new Uint8Array(await sharp({ create: { width: 64, height: 64, channels: 4, background: '#2a8040' } }).png().toBuffer());
    const imageId = createHash('sha256').update(pixels).digest('hex');
    const single = { ...sample.document, width: 64, height: 64, layers: [{ ...inp, imageId, x: 0, y: 0, width: 64, height: 64, mask: undefined, source: { ...inp.source, settings } }] };
    const singlePath = join(dir, 'single.atelier');
    await writeDocumentFile(singlePath, single, new Map([[imageId, pixels]]));
    const png = join(dir, 'flat-for-import.png');
    await run(singlePath, '--out', png);
    const back = join(dir, 'from-png.atelier');
    await run(png, '--out', back);
    const doc = (await readDocumentFile(back)).document;
    expect(doc.layers).toHaveLength(1);
    expect(doc.layers[0].name).toBe('Inpaint: a small wooden boat · seed 42');
    expect((doc.layers[0] as RasterLayer).source?.settings?.prompt).toBe('a small wooden boat');

    const composite = join(dir, 'composite-for-import.png');
    await run(docPath, '--out', composite);
    const fromComposite = join(dir, 'from-composite.atelier');
    await run(composite, '--out', fromComposite);
    const layer = (await readDocumentFile(fromComposite)).document.layers[0] as RasterLayer;
    expect([layer.name, layer.source?.settings]).toEqual(['composite-for-import', undefined]);
  });

  it('bad input fails in one line and leaves nothing behind', async () => {
    const fails = async (args: string[], pattern: RegExp) => {
      const attempt = run(...args);
      await expect(attempt).rejects.toThrow(CliError);
      await expect(attempt).rejects.toThrow(pattern);
      const message = await attempt.catch((e: Error) => e.message);
      expect(message).not.toContain('\n');
    };
    await fails([join(dir, 'absent.atelier'), '--out', join(dir, 'x.psd')], /could not open "absent\.atelier": no such file/);
    await fails([docPath], /--out FILE is required/);
    await fails([docPath, '--out', join(dir, 'x.tiff')], /cannot save "\.tiff" files/);
    await fails([docPath, '--out', join(dir, 'x.jpg'), '--quality', '0'], /--quality must be 1\.\.100/);
    await fails([docPath, '--out', join(dir, 'x.png'), '--quality', '50'], /quality applies to \.jpg and \.webp only/);
    const junk = join(dir, 'junk.psd');
    writeFileSync(junk, 'definitely not a psd');
    await fails([junk, '--out', join(dir, 'y.png')], /^"junk\.psd" is not a PSD file/);
    await fails([docPath, '--out', join(junk, 'z.psd')], /^could not save "z\.psd": a file stands where its folder should be; any previous file there is unchanged$/);
    expect(existsSync(join(dir, 'x.jpg')) || existsSync(join(dir, 'y.png'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
