import sharp from 'sharp';
import type { Locator, Page } from '@playwright/test';
import { expect, generateAndWait, layerItems, openApp, shot, test } from './fixtures.js';

const historyRows = (page: Page) => page.getByRole('list', { name: 'History' }).getByRole('listitem');
const row = (page: Page, text: string) => historyRows(page).filter({ hasText: text });

/** The stored PNG behind a history row's thumbnail, fetched by its URL (the serve session's cookie). */
async function imageBytes(page: Page, item: Locator): Promise<Buffer> {
  const res = await page.request.get(await imageUrl(page, item));
  expect(res.status()).toBe(200);
  return res.body();
}

/** The full stored image behind a row (the row shows a thumbnail). */
async function imageUrl(page: Page, item: Locator): Promise<string> {
  return new URL(`/images/${await item.getAttribute('data-image-id')}.png`, page.url()).href;
}

async function dropOnHistory(page: Page, name: string, bytes: Buffer): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ name, base64 }) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (parts: unknown[], n: string, o: { type: string }) => unknown };
      const dt = new g.DataTransfer();
      dt.items.add(new g.File([data], name, { type: 'image/png' }));
      return dt;
    },
    { name, base64: bytes.toString('base64') },
  );
  await page.getByRole('region', { name: 'History panel' }).dispatchEvent('drop', { dataTransfer });
}

test('history: search, favourites, exact re-run, delete after confirmation, use settings, import by drop', async ({ page }) => {
  // Many steps, three generations: slow on a loaded 2-core machine.
  test.setTimeout(180_000);
  await openApp(page, { size: 128, steps: 2 });
  await generateAndWait(page, 'a red fox in the snow', 1);
  await generateAndWait(page, 'a blue whale at sea', 2);
  await expect(historyRows(page)).toHaveCount(2);
  // Newest first.
  await expect(historyRows(page).first()).toContainText('a blue whale at sea');

  // Full-text search, prefix words.
  const search = page.getByRole('searchbox', { name: 'Search history' });
  await search.fill('whal');
  await expect(historyRows(page)).toHaveCount(1);
  await expect(historyRows(page).first()).toContainText('a blue whale at sea');
  await search.fill('snow fox');
  await expect(historyRows(page)).toHaveCount(1);
  await expect(historyRows(page).first()).toContainText('a red fox');
  await search.fill('nothing-like-this');
  await expect(page.getByText('Nothing matches these filters.')).toBeVisible();
  await search.fill('');
  await expect(historyRows(page)).toHaveCount(2);

  // Favourite one, filter to favourites.
  const fox = row(page, 'a red fox in the snow');
  await fox.getByRole('button', { name: 'Favourite', exact: true }).click();
  await expect(fox.getByRole('button', { name: 'Favourite', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('checkbox', { name: 'Favourites only' }).check();
  await expect(historyRows(page)).toHaveCount(1);
  await expect(historyRows(page).first()).toContainText('a red fox');
  await page.getByRole('checkbox', { name: 'Favourites only' }).uncheck();
  await expect(historyRows(page)).toHaveCount(2);

  // Re-run exactly: a new entry with the same seed and the same pixels, and a new layer on the canvas.
  const seedText = (await fox.locator('.sub').first().textContent())!.match(/seed (\d+)/)![1];
  await fox.getByRole('button', { name: 'Re-run', exact: true }).click();
  await expect(historyRows(page)).toHaveCount(3, { timeout: 60_000 });
  await expect(layerItems(page)).toHaveCount(3);
  await expect(layerItems(page).first()).toContainText(`a red fox in the snow · seed ${seedText}`);
  const foxes = row(page, 'a red fox in the snow');
  await expect(foxes).toHaveCount(2);
  await expect(foxes.nth(0)).toContainText(`seed ${seedText}`);
  const [rerunPng, originalPng] = [await imageBytes(page, foxes.nth(0)), await imageBytes(page, foxes.nth(1))];
  expect(rerunPng.equals(originalPng)).toBe(false); // a new file (its metadata has a new time)…
  const [a, b] = await Promise.all([rerunPng, originalPng].map((png) => sharp(png).raw().toBuffer()));
  expect(a.length).toBe(128 * 128 * 4);
  expect(new Set(a).size).toBeGreaterThan(32); // a real picture, not a flat fill that would match anything
  expect(Buffer.compare(a, b)).toBe(0); // …with identical pixels
  // The re-run is not a favourite; the original still is.
  await expect(foxes.nth(0).getByRole('button', { name: 'Favourite', exact: true })).toHaveAttribute('aria-pressed', 'false');
  await shot(page, 'h1-history-rerun');

  // Delete asks first; Cancel keeps it, Delete removes the entry (its image file stays while the document uses it).
  const rerunSrc = await imageUrl(page, foxes.nth(0));
  // Rows show cached thumbnails (small WebP).
  const thumb = await page.request.get(new URL((await foxes.nth(0).locator('img').getAttribute('src'))!, page.url()).href);
  expect(thumb.headers()['content-type']).toBe('image/webp');
  expect((await sharp(await thumb.body()).metadata()).width).toBe(128);
  await foxes.nth(0).getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete from history' });
  await expect(dialog).toBeVisible();
  await shot(page, 'h2-history-confirm-delete');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(historyRows(page)).toHaveCount(3);
  await foxes.nth(0).getByRole('button', { name: 'Delete', exact: true }).click();
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(historyRows(page)).toHaveCount(2);
  // The re-run's layer is on the canvas, so its file stays (a file nothing uses goes: historyChannels.test.ts).
  expect((await page.request.get(rerunSrc)).status()).toBe(200);

  // Use settings fills the prompt panel (prompt, locked seed).
  const whale = row(page, 'a blue whale at sea');
  const whaleSeed = (await whale.locator('.sub').first().textContent())!.match(/seed (\d+)/)![1];
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('something else');
  await whale.getByRole('button', { name: 'Use settings' }).click();
  await expect(page.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue('a blue whale at sea');
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue(whaleSeed);

  // Add to canvas: one more layer, one undo step.
  await whale.getByRole('button', { name: 'Add to canvas' }).click();
  await expect(layerItems(page)).toHaveCount(4);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(layerItems(page)).toHaveCount(3);

  // Use as init image: placed at the frame and "Use canvas as init" turned on, so Generate runs img2img.
  await page.getByLabel('Use canvas as init').uncheck();
  await whale.getByRole('button', { name: 'Use as init image' }).click();
  await expect(layerItems(page)).toHaveCount(4);
  await expect(layerItems(page).first()).toContainText('Init: a blue whale at sea');
  await expect(page.getByLabel('Use canvas as init')).toBeChecked();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(layerItems(page)).toHaveCount(3);

  // Dropping the deleted re-run's PNG brings it back as an entry with its settings; a PNG without them is refused in one line.
  await dropOnHistory(page, 'fox-again.png', rerunPng);
  await expect(page.getByRole('status').filter({ hasText: 'Imported 1 of 1 PNG.' })).toBeVisible();
  await expect(historyRows(page)).toHaveCount(3);
  await expect(row(page, 'a red fox in the snow').first()).toContainText(`seed ${seedText}`);
  const plain = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#335577' } }).png().toBuffer();
  await dropOnHistory(page, 'plain.png', plain);
  await expect(page.getByRole('alert').filter({ hasText: '"plain.png"' })).toContainText('no generation metadata');
  await expect(historyRows(page)).toHaveCount(3);
  await page.getByRole('region', { name: 'History panel' }).getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);

  // Scope: All lists at least this document's entries.
  await page.getByRole('radio', { name: 'All', exact: true }).check();
  await expect.poll(async () => historyRows(page).count()).toBeGreaterThanOrEqual(3);
  await page.getByRole('radio', { name: 'This document' }).check();
  await expect(historyRows(page)).toHaveCount(3);
  await shot(page, 'h3-history');
  // A smaller window: the filters must not crowd the rows out.
  await page.setViewportSize({ width: 1280, height: 720 });
  await expect(historyRows(page).first()).toBeVisible();
  await shot(page, 'h4-history-1280x720');
});
