import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test('opening a big file shows its progress in an Opening file dialog, then the document', async ({ page }) => {
  test.setTimeout(180_000);
  // ≈28 MB of noise layers, passed by path (Playwright refuses in-memory files over 50 MB). The dialog's Cancel
  // is not clicked here: on a quiet machine the open can end before a click lands.
  const dir = mkdtempSync(join(tmpdir(), 'atelier-e2e-big-'));
  try {
    const big = await noisyDocument(1536, 3);
    const file = join(dir, 'big.atelier');
    writeFileSync(file, packDocument(big.doc, big.images));
    await openApp(page);
    await clickNew(page);
    const opening = page.getByRole('dialog', { name: 'Opening file' });
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByLabel('Open a file').setInputFiles(file);
    await expect(opening.getByRole('progressbar', { name: 'Import progress' })).toBeVisible();
    await expect(layerItems(page)).toHaveCount(3, { timeout: 120_000 });
    await expect(opening).toHaveCount(0);
    await expect(page.getByText('Opened "big.atelier"')).toBeVisible();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Cancel in the Opening file dialog stops the open: the document is not changed, and the app says so', async ({ page }) => {
  await openApp(page);
  await clickNew(page);
  // Hold the file's upload, so the dialog is on screen however fast this machine is.
  let release = () => undefined as void;
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/import*', async (route) => {
    await held;
    await route.continue().catch(() => undefined); // the page aborted it: nothing to continue
  });
  await dropFile(page, 'held.atelier', 'application/zip', Buffer.from(small).toString('base64'));
  const opening = page.getByRole('dialog', { name: 'Opening file' });
  await expect(opening).toContainText('Reading "held.atelier"');
  await opening.getByRole('button', { name: 'Cancel' }).click();
  await expect(opening).toHaveCount(0);
  await expect(page.getByText('Opening "held.atelier" was cancelled; the document was not changed.')).toBeVisible();
  release();
  await page.unroute('**/import*');
  // Nothing arrives later either: the same empty document, no layers, the title unchanged.
  await page.waitForTimeout(1000);
  await expect(layerItems(page)).toHaveCount(0);
  await expect(page.locator('.doc-title')).not.toContainText('held');
  // And the next open works.
  await dropFile(page, 'after.atelier', 'application/zip', Buffer.from(small).toString('base64'));
  await expect(layerItems(page)).toHaveCount(2);
});
