import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument, type RasterLayer } from '../../contract/document.js';
import type { GenerationSettings } from '../../contract/generation.js';
import { saveDocumentAs } from '../document/documentIO.js';
import { COMPOSITE_KEYWORD, type CompositeProvenance } from './flatProvenance.js';
import { decodeTextChunk, readPngChunks } from './pngChunks.js';
import { readPngMetadata } from './pngMetadata.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-flat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settings = (prompt: string, seed: number): GenerationSettings => ({
  mode: 'txt2img', prompt, negativePrompt: '', width: 64, height: 64, steps: 4, guidance: 7, scheduler: 'euler', seed, batch: 1, strength: 1, maskFeather: 4,
});

async function solid(colour: string): Promise<{ id: string; png: Uint8Array }> {
  const png = new Uint8Array(await sharp({ create: { width: 64, height: 64, channels: 4, background: colour } }).png().toBuffer());
  return { id: createHash('sha256').update(png).digest('hex'), png };
}

function layer(id: string, imageId: string, over: Partial<RasterLayer> = {}): RasterLayer {
  return { id, kind: 'raster', name: id, x: 0, y: 0, width: 64, height: 64, opacity: 1, visible: true, blendMode: 'normal', imageId, ...over };
}

function doc(layers: RasterLayer[], width = 64, height = 64): AtelierDocument {
  return { type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: 'doc-flat', name: 'flat', width, height, layers, generationFrame: { x: 0, y: 0, width: 64, height: 64 }, historyEntryIds: [] };
}

/** Exports a flat PNG and reads back what a gallery (parameters) and we (composite chunk) would see. */
async function exported(d: AtelierDocument, images: Map<string, Uint8Array>) {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.png`);
  await saveDocumentAs(path, d, images);
  const bytes = new Uint8Array(readFileSync(path));
  const meta = readPngMetadata(bytes);
  const text = readPngChunks(bytes).chunks.map((c) => decodeTextChunk(c)).find((t) => t?.keyword === COMPOSITE_KEYWORD)?.text;
  return { parameters: meta.parameters, atelier: meta.atelier, composite: text ? (JSON.parse(text) as CompositeProvenance) : undefined };
}

describe('flat PNG export says how its picture was made, honestly', () => {
  it('one untouched generated layer covering the picture: parameters and atelier JSON, no composite chunk', async () => {
    const red = await solid('#ff0000');
    const out = await exported(doc([layer('fox', red.id, { source: { model: 'sd15-tiny', settings: settings('a red fox', 42) } })]), new Map([[red.id, red.png]]));
    expect(out.parameters).toMatch(/^a red fox\n.*Seed: 42/s);
    expect(out.atelier).toMatchObject({ seed: 42, model: 'sd15-tiny' });
    expect(out.composite).toBeUndefined();
  });

  it('two generated layers: no parameters (re-running the top one would not give this picture); every layer listed', async () => {
    const [red, blue] = await Promise.all([solid('#ff0000'), solid('#0000ff')]);
    const images = new Map([[red.id, red.png], [blue.id, blue.png]]);
    const d = doc([
      layer('fox', red.id, { source: { model: 'sd15-tiny', settings: settings('a red fox', 42) } }),
      layer('whale', blue.id, { x: 32, source: { model: 'sd15-tiny', settings: settings('a blue whale', 7) } }),
    ]);
    const out = await exported(d, images);
    expect([out.parameters, out.atelier]).toEqual([undefined, undefined]);
    expect(out.composite?.note).toMatch(/composite of 2 layers/);
    expect(out.composite?.layers.map((l) => [l.name, l.seed, l.settings.prompt, l.x])).toEqual([['fox', 42, 'a red fox', 0], ['whale', 7, 'a blue whale', 32]]);
  });

  it('one generated layer changed after generation (faded, or not covering the picture) is not reproducible either', async () => {
    const red = await solid('#ff0000');
    const images = new Map([[red.id, red.png]]);
    const source = { model: 'sd15-tiny', settings: settings('a red fox', 42) };
    const faded = await exported(doc([layer('fox', red.id, { opacity: 0.5, source })]), images);
    expect(faded.parameters).toBeUndefined();
    expect(faded.composite?.note).toMatch(/changed after generation/);
    const small = await exported(doc([layer('fox', red.id, { source })], 128, 64), images);
    expect(small.parameters).toBeUndefined();
    expect(small.composite?.layers).toHaveLength(1);
    // A hidden second layer is not in the picture: the visible one alone still reproduces it.
    const hidden = await exported(doc([layer('fox', red.id, { source }), layer('off', red.id, { visible: false, source })]), images);
    expect(hidden.parameters).toMatch(/Seed: 42/);
  });

  it('one generated layer painted over after generation (source.edited) is not reproducible: no parameters, listed as edited', async () => {
    const red = await solid('#ff0000');
    const source = { model: 'sd15-tiny', settings: settings('a red fox', 42), edited: true };
    const out = await exported(doc([layer('fox', red.id, { source })]), new Map([[red.id, red.png]]));
    expect([out.parameters, out.atelier]).toEqual([undefined, undefined]);
    expect(out.composite?.note).toMatch(/changed after generation \(painted over/);
    expect(out.composite?.layers).toMatchObject([{ name: 'fox', seed: 42, edited: true }]);
  });

  it('a visible Control layer is not part of the picture: the generated layer alone still reproduces it', async () => {
    const [red, sketch] = await Promise.all([solid('#ff0000'), solid('#00ff00')]);
    const d = doc([layer('fox', red.id, { source: { model: 'sd15-tiny', settings: settings('a red fox', 42) } }), layer('sketch', sketch.id, { role: 'control' })]);
    const out = await exported(d, new Map([[red.id, red.png], [sketch.id, sketch.png]]));
    expect(out.parameters).toMatch(/^a red fox\n.*Seed: 42/s);
    expect(out.composite).toBeUndefined();
  });

  it('no generated layer: no generation metadata at all', async () => {
    const red = await solid('#ff0000');
    const out = await exported(doc([layer('photo', red.id)]), new Map([[red.id, red.png]]));
    expect([out.parameters, out.atelier, out.composite]).toEqual([undefined, undefined, undefined]);
  });
});
