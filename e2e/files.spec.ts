import { readFileSync } from 'node:fs';
import { clickNew, dropFile, expect, generateAndWait, layerItems, openApp, shot, test } from './fixtures.js';

/** A tiny valid PNG (2×2, opaque red) built by hand, so the test needs no image library. */
const RED_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAwMDAxAADABf8AgOWlkdRAAAAAElFTkSuQmCC';

test('export: layered PSD downloads with real PSD bytes; flat PNG too', async ({ page }) => {
  await openApp(page);
  await generateAndWait(page, 'an orange cat', 1);
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByLabel('Format').selectOption('psd');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export file' }).click();
  const psd = await download;
  expect(psd.suggestedFilename()).toBe('Untitled.psd');
  expect(readFileSync(await psd.path()).subarray(0, 4).toString('latin1')).toBe('8BPS');
  await expect(page.getByText(/Exported Untitled\.psd/)).toBeVisible();

  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByLabel('Format').selectOption('png');
  const download2 = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export file' }).click();
  const png = readFileSync(await (await download2).path());
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.includes(Buffer.from('an orange cat'))).toBe(true);
});

test('drop a PNG onto the canvas: it becomes a layer; a bad file gives a readable error', async ({ page }) => {
  await openApp(page);
  await dropFile(page, 'swatch.png', 'image/png', RED_PNG_BASE64);
  await expect(layerItems(page)).toHaveCount(1);
  await expect(layerItems(page).first()).toContainText('swatch');
  await expect(page.getByLabel('Layer position')).toContainText('2×2');
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(layerItems(page)).toHaveCount(0);

  await dropFile(page, 'broken.png', 'image/png', Buffer.from('definitely not a png').toString('base64'));
  await expect(page.getByRole('alert')).toContainText('"broken.png": This file is not an image Atelier can read');
  await expect(layerItems(page)).toHaveCount(0);
  await shot(page, '08-bad-drop');
});

test('open a file from disk: a PSD exported by Atelier comes back with its layers', async ({ page }) => {
  await openApp(page, { steps: 2 });
  await generateAndWait(page, 'sky', 1);
  await generateAndWait(page, 'bird', 2);
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByLabel('Format').selectOption('psd');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export file' }).click();
  const psdPath = await (await download).path();

  await clickNew(page);
  await expect(layerItems(page)).toHaveCount(0);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByLabel('Open a file').setInputFiles({ name: 'birds.psd', mimeType: 'image/vnd.adobe.photoshop', buffer: readFileSync(psdPath) });
  await expect(layerItems(page)).toHaveCount(2);
  await expect(layerItems(page).nth(0)).toContainText('bird');
  await expect(layerItems(page).nth(1)).toContainText('sky');
  await expect(page.getByText('Opened "birds.psd"')).toBeVisible();

  // A damaged file is refused in one line and the open document stays.
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByLabel('Open a file').setInputFiles({ name: 'broken.psd', mimeType: 'image/vnd.adobe.photoshop', buffer: Buffer.from('8BPS garbage') });
  await expect(page.getByRole('alert')).toContainText('"broken.psd"');
  await expect(layerItems(page)).toHaveCount(2);
  await shot(page, '11-opened-psd');
});
