import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument, type Layer } from '../electron/contract/document.js';
import { packDocument, sha256Hex } from '../electron/core/document/documentFile.js';
import { clickNew, dropFile, expect, layerItems, openApp, test } from './fixtures.js';

/**
 * Files dropped on the canvas that are documents (.atelier, .psd, .ora) open as the document, through the same
 * import (progress dialog with Cancel) as Open a file….
 */

let small: Uint8Array;

/** A document of `count` noisy layers (noise so PNG and PSD RLE cannot shrink it: real decode work). */
async function noisyDocument(side: number, count: number): Promise<{ doc: AtelierDocument; images: Map<string, Uint8Array> }> {
  const images = new Map<string, Uint8Array>();
  const layers: Layer[] = [];
  for (let i = 0; i < count; i++) {
    const png = new Uint8Array(await sharp(randomBytes(side * side * 4), { raw: { width: side, height: side, channels: 4 } }).png({ compressionLevel: 1 }).toBuffer());
    const imageId = sha256Hex(png);
    images.set(imageId, png);
    layers.push({ id: `noise-${i}`, kind: 'raster', name: `noise ${i}`, imageId, x: 0, y: 0, width: side, height: side, opacity: 1, visible: true, blendMode: 'normal' });
  }
  const doc = {
    type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: `noise-${side}`, name: 'noise', width: side, height: side,
    generationFrame: { x: 0, y: 0, width: 128, height: 128 }, layers, historyEntryIds: [],
  } as AtelierDocument;
  return { doc, images };
}

test.beforeAll(async () => {
  const tiny = await noisyDocument(64, 2);
  small = packDocument(tiny.doc, tiny.images);
});

test('a .atelier dropped on the canvas opens as the document (with the same progress dialog)', async ({ page }) => {
  await openApp(page);
  await clickNew(page);
  await dropFile(page, 'dropped.atelier', 'application/zip', Buffer.from(small).toString('base64'));
  await expect(layerItems(page)).toHaveCount(2);
  await expect(page.getByText('Opened "dropped.atelier"')).toBeVisible();
  await expect(page.getByRole('dialog', { name: 'Opening file' })).toHaveCount(0);
});
