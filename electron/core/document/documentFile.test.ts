import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleDocument, type SampleDocument } from '../export/fixtures/sampleDocument.js';
import {
  DocumentFileError,
  packDocument,
  readDocumentFile,
  unpackDocument,
  writeDocumentFile,
} from './documentFile.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-docfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let sample: SampleDocument;
beforeAll(async () => {
  sample = await buildSampleDocument();
});

/** Rebuilds a .atelier zip with some entries replaced (undefined removes one). */
function repack(bytes: Uint8Array, change: Record<string, Uint8Array | undefined>): Uint8Array {
  const files: Record<string, Uint8Array> = unzipSync(bytes);
  for (const [name, data] of Object.entries(change)) {
    if (data === undefined) delete files[name];
    else files[name] = data;
  }
  return zipSync(files);
}

describe('.atelier document file', () => {
  it('round-trips the document and every image byte for byte', async () => {
    const path = join(dir, 'round.atelier');
    await writeDocumentFile(path, sample.document, sample.images);
    const back = await readDocumentFile(path);
    expect(back.document).toEqual(sample.document);
    expect([...back.images.keys()].sort()).toEqual([...sample.images.keys()].sort());
    for (const [id, bytes] of sample.images) expect(Buffer.compare(back.images.get(id)!, bytes)).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('stores images uncompressed under images/<id>.png next to document.json', () => {
    const files = unzipSync(packDocument(sample.document, sample.images));
    expect(Object.keys(files)).toContain('document.json');
    for (const id of sample.images.keys()) expect(files[`images/${id}.png`]).toBeDefined();
  });

  it('refuses to save a document whose image is missing or invalid, and writes nothing', async () => {
    const path = join(dir, 'never.atelier');
    const images = new Map(sample.images);
    images.delete([...images.keys()][0]);
    await expect(writeDocumentFile(path, sample.document, images)).rejects.toThrow(/image [0-9a-f]{12}… is missing/);
    const bad = { ...sample.document, width: -3 };
    await expect(writeDocumentFile(path, bad, sample.images)).rejects.toThrow(DocumentFileError);
    expect(existsSync(path)).toBe(false);
  });

  it('a truncated file gives a clear one-line error', async () => {
    const bytes = packDocument(sample.document, sample.images);
    for (const keep of [0, 10, bytes.length >> 1, bytes.length - 10]) {
      await expect(unpackDocument(bytes.subarray(0, keep), '"t.atelier"')).rejects.toThrow(/^"t\.atelier" is (not a readable Atelier file|damaged)/);
    }
  });

  it('detects an image whose bytes do not match its hash, and a missing image', async () => {
    const bytes = packDocument(sample.document, sample.images);
    const id = [...sample.images.keys()][1];
    const tampered = Uint8Array.from(sample.images.get(id)!);
    tampered[tampered.length - 20] ^= 1;
    await expect(unpackDocument(repack(bytes, { [`images/${id}.png`]: tampered }))).rejects.toThrow(/does not match its hash/);
    await expect(unpackDocument(repack(bytes, { [`images/${id}.png`]: undefined }))).rejects.toThrow(/is missing/);
  });

  it('rejects a newer version, a foreign JSON and invalid JSON with clear messages', async () => {
    const bytes = packDocument(sample.document, sample.images);
    const json = (v: unknown) => strToU8(JSON.stringify(v));
    await expect(unpackDocument(repack(bytes, { 'document.json': json({ ...sample.document, version: 7 }) }))).rejects.toThrow(
      /newer Atelier \(document version 7; this version reads up to 1\)/,
    );
    await expect(unpackDocument(repack(bytes, { 'document.json': json({ hello: 1 }) }))).rejects.toThrow(/not an Atelier document/);
    await expect(unpackDocument(repack(bytes, { 'document.json': strToU8('{"type": "atel') }))).rejects.toThrow(/not valid JSON/);
    await expect(unpackDocument(repack(bytes, { 'document.json': undefined }))).rejects.toThrow(/no document.json/);
    const badLayer = { ...sample.document, layers: [{ ...sample.document.layers[0], opacity: 3 }] };
    await expect(unpackDocument(repack(bytes, { 'document.json': json(badLayer) }))).rejects.toThrow(/document.json: .* at layers\.0\.opacity/);
  });

  it('normalises dangling and cyclic parents instead of failing', async () => {
    const bytes = packDocument(sample.document, sample.images);
    const layers = sample.document.layers.map((l) =>
      l.id === 'mul' ? { ...l, parentId: 'nope' } : l.id === 'grp' ? { ...l, parentId: 'grp' } : l,
    );
    const doc = (await unpackDocument(repack(bytes, { 'document.json': strToU8(JSON.stringify({ ...sample.document, layers })) }))).document;
    expect(doc.layers.find((l) => l.id === 'mul')!.parentId).toBeUndefined();
    expect(doc.layers.find((l) => l.id === 'grp')!.parentId).toBeUndefined();
  });

  it('a full disk leaves the previous file intact, no temp file, and says so in one line', async () => {
    const path = join(dir, 'full.atelier');
    await writeDocumentFile(path, sample.document, sample.images);
    const before = readFileSync(path);
    const renamed = { ...sample.document, name: 'Changed' };
    const fullDisk = async (file: FileHandle, bytes: Uint8Array) => {
      await file.write(bytes.subarray(0, bytes.length >> 1));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    await expect(writeDocumentFile(path, renamed, sample.images, { write: fullDisk })).rejects.toThrow(
      /^could not save "full\.atelier": the disk is full; any previous version of the file is unchanged$/,
    );
    expect(Buffer.compare(readFileSync(path), before)).toBe(0);
    expect(readdirSync(dir).filter((f) => f.includes('full.atelier') && f.endsWith('.tmp'))).toEqual([]);
    expect((await readDocumentFile(path)).document.name).toBe('Sample');
  });

  it('missing files and non-zip files give one-line errors', async () => {
    await expect(readDocumentFile(join(dir, 'absent.atelier'))).rejects.toThrow(/could not open "absent\.atelier": no such file/);
    const junk = join(dir, 'junk.atelier');
    writeFileSync(junk, 'hello, not a zip');
    await expect(readDocumentFile(junk)).rejects.toThrow(/^"junk\.atelier" is not a readable Atelier file/);
  });
});
