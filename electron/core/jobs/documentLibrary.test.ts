import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument } from '../../contract/document.js';
import { ImageStore } from '../store/imageStore.js';
import { DocumentLibrary } from './documentLibrary.js';

async function docWithImage(images: ImageStore): Promise<AtelierDocument> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 4, background: '#336699' } }).png().toBuffer();
  const imageId = await images.put(png);
  return {
    type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: 'doc-1', name: 'Boat', width: 64, height: 64,
    layers: [{ id: 'l1', kind: 'raster', name: 'Sea', x: 0, y: 0, width: 8, height: 8, opacity: 1, visible: true, blendMode: 'normal', imageId }],
    generationFrame: { x: 0, y: 0, width: 64, height: 64 }, historyEntryIds: ['h1'],
  };
}

describe('DocumentLibrary', () => {
  let dir: string;
  let images: ImageStore;
  let lib: DocumentLibrary;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'atelier-docs-'));
    images = new ImageStore(dir);
    lib = new DocumentLibrary(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves, lists and reopens the same document; its images come back into a fresh image store', async () => {
    const doc = await docWithImage(images);
    await lib.save('Boat', doc);
    expect((await lib.list()).map((d) => d.name)).toEqual(['Boat']);
    rmSync(join(dir, 'images'), { recursive: true, force: true });
    const back = await lib.open('Boat');
    expect(back).toEqual(doc);
    expect(images.has((doc.layers[0] as { imageId: string }).imageId)).toBe(true);
  });

  it('autosave is recovered until a save or a discard clears it', async () => {
    const doc = await docWithImage(images);
    expect(await lib.recover(false)).toBeNull();
    await lib.autosave(doc);
    expect(await lib.recover(false)).toEqual(doc);
    await lib.save('Boat', doc);
    expect(await lib.recover(false)).toBeNull();
    await lib.autosave(doc);
    expect(await lib.recover(true)).toBeNull();
    expect(await lib.recover(false)).toBeNull();
  });

  it('a save while autosaves are still being written clears the slot after them; an edit after the save keeps its autosave', async () => {
    const doc = await docWithImage(images);
    // One autosave running and one queued behind it when the user saves: both land before the save clears.
    const writing = [lib.autosave(doc), lib.autosave({ ...doc, name: 'Boat 2' })];
    await lib.save('Boat', doc);
    await Promise.all(writing);
    expect(await lib.recover(false)).toBeNull();
    // An edit made while the save is written asks for a newer autosave: that one is kept for recovery.
    const saving = lib.save('Boat', doc);
    const later = lib.autosave({ ...doc, name: 'Boat edited' });
    await Promise.all([saving, later]);
    expect((await lib.recover(false))?.name).toBe('Boat edited');
  });

  it('refuses to save a document whose image is missing, leaving the old file intact', async () => {
    const doc = await docWithImage(images);
    await lib.save('Boat', doc);
    const broken = { ...doc, layers: [{ ...doc.layers[0], imageId: 'f'.repeat(64) }] } as AtelierDocument;
    await expect(lib.save('Boat', broken)).rejects.toThrow(/missing from the image store/);
    expect(await lib.open('Boat')).toEqual(doc);
    expect(readdirSync(join(dir, 'documents')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a damaged or missing file is a one-line error', async () => {
    await expect(lib.open('Nope')).rejects.toThrow(/no such file/);
    await lib.save('Boat', await docWithImage(images));
    writeFileSync(join(dir, 'documents', 'Boat.atelier'), 'garbage');
    const err = await lib.open('Boat').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('orphaned temp files', () => {
  it('a save interrupted before its rename leaves a temp that the next start removes (only old ones)', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, utimesSync, existsSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { DocumentLibrary } = await import('./documentLibrary.js');
    const { ImageStore } = await import('../store/imageStore.js');
    const data = mkdtempSync(join(tmpdir(), 'atelier-orphans-'));
    const docs = join(data, 'documents');
    mkdirSync(docs, { recursive: true });
    const old = join(docs, '.boat.atelier.0123456789ab.tmp');
    const fresh = join(docs, '.boat.atelier.ba9876543210.tmp');
    writeFileSync(old, 'half a save');
    writeFileSync(fresh, 'a save in progress');
    const hourAgo = (Date.now() - 3_600_000) / 1000;
    utimesSync(old, hourAgo, hourAgo);
    writeFileSync(join(docs, 'keep.atelier'), 'a document');
    const library = new DocumentLibrary(data);
    expect(await library.orphansRemoved).toBe(1);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(join(docs, 'keep.atelier'))).toBe(true);
    rmSync(data, { recursive: true, force: true });
  });
});
