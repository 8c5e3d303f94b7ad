import sharp from 'sharp';
import type { Locator, Page } from '@playwright/test';
import { expect, layerItems, openApp, shot, test, watchJobUi } from './fixtures.js';

/** Issue 12 items 3 and 4: a batch you choose from, and actions on one image of a batch. */

const historyRows = (page: Page) => page.getByRole('list', { name: 'History' }).getByRole('listitem');
const seedRow = (page: Page, seed: number) => historyRows(page).filter({ hasText: new RegExp(`seed ${seed}\\b`) });
const chooser = (page: Page) => page.getByRole('region', { name: 'Batch chooser' });

async function pixelsOf(page: Page, item: Locator): Promise<Buffer> {
  const res = await page.request.get(new URL(`/images/${await item.getAttribute('data-image-id')}.png`, page.url()).href);
  return sharp(await res.body()).raw().toBuffer();
}

async function generateBatch(page: Page, prompt: string, batch: number, seed: number): Promise<void> {
  await page.getByLabel('Seed', { exact: true }).fill(String(seed));
  await page.getByLabel('Batch').fill(String(batch));
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt);
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(chooser(page)).toBeVisible({ timeout: 60_000 });
}

test('a batch of 4 opens a 4-up chooser; picked variations become layers in one undo step, the rest stay in History', async ({ page }) => {
  await openApp(page, { size: 128, steps: 2 });
  await generateBatch(page, 'a lighthouse on a cliff', 4, 42);
  const variations = chooser(page).getByRole('list', { name: 'Batch variations' }).getByRole('button');
  await expect(variations).toHaveCount(4);
  await expect(variations.nth(3)).toHaveAccessibleName('Seed 45');
  // Nothing lands until the user chooses; History has all four.
  await expect(layerItems(page)).toHaveCount(0);
  await expect(historyRows(page)).toHaveCount(4);
  await expect(page.getByLabel('History count')).toHaveText('4');
  await variations.nth(1).click();
  await variations.nth(3).click();
  await expect(variations.nth(1)).toHaveAttribute('aria-pressed', 'true');
  await variations.nth(3).hover();
  await shot(page, '12-batch-4up');
  await chooser(page).getByRole('button', { name: 'Keep 2' }).click();
  await expect(chooser(page)).toHaveCount(0);
  await expect(layerItems(page)).toHaveCount(2);
  await expect(layerItems(page).nth(0)).toContainText('a lighthouse on a cliff · seed 45');
  await expect(layerItems(page).nth(1)).toContainText('a lighthouse on a cliff · seed 43');
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveAttribute('title', 'Undo Keep 2 variations');
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(layerItems(page)).toHaveCount(0);
  await expect(historyRows(page)).toHaveCount(4);

  // Double-click keeps one at once; Discard keeps none.
  await generateBatch(page, 'a red barn', 2, 7);
  await chooser(page).getByRole('button', { name: 'Seed 8' }).dblclick();
  await expect(layerItems(page)).toHaveCount(1);
  await expect(layerItems(page).first()).toContainText('a red barn · seed 8');
  await generateBatch(page, 'a blue boat', 2, 9);
  await chooser(page).getByRole('button', { name: 'Discard' }).click();
  await expect(layerItems(page)).toHaveCount(1);
  await expect(historyRows(page)).toHaveCount(8);
});

test('one image of a batch: favourite, re-run (to the canvas, with progress and Cancel), use as init and delete act on it alone', async ({ page }) => {
  await openApp(page, { size: 128, steps: 2 });
  await generateBatch(page, 'a stone bridge', 3, 42);
  await chooser(page).getByRole('button', { name: 'Discard' }).click();
  await expect(historyRows(page)).toHaveCount(3);

  // Favourite seed 43 only.
  await seedRow(page, 43).getByRole('button', { name: 'Favourite', exact: true }).click();
  await expect(seedRow(page, 43).getByRole('button', { name: 'Favourite', exact: true })).toHaveAttribute('aria-pressed', 'true');
  for (const seed of [42, 44]) await expect(seedRow(page, seed).getByRole('button', { name: 'Favourite', exact: true })).toHaveAttribute('aria-pressed', 'false');
  await page.getByRole('checkbox', { name: 'Favourites only' }).check();
  await expect(historyRows(page)).toHaveCount(1);
  await expect(page.getByLabel('History count')).toHaveText('1');
  await page.getByRole('checkbox', { name: 'Favourites only' }).uncheck();
  await expect(historyRows(page)).toHaveCount(3);

  // Re-run seed 44: one new image (not three), shown with progress and Cancel, landing as a layer.
  const sawJobUi = await watchJobUi(page);
  await seedRow(page, 44).getByRole('button', { name: 'Re-run', exact: true }).click();
  await sawJobUi();
  await expect(layerItems(page)).toHaveCount(1, { timeout: 60_000 });
  await expect(layerItems(page).first()).toContainText('a stone bridge · seed 44');
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveAttribute('title', 'Undo Generate');
  await expect(historyRows(page)).toHaveCount(4);
  const [again, original] = [seedRow(page, 44).nth(0), seedRow(page, 44).nth(1)];
  expect(Buffer.compare(await pixelsOf(page, again), await pixelsOf(page, original))).toBe(0);

  // Use as init image: this image, at the frame.
  await seedRow(page, 42).getByRole('button', { name: 'Use as init image' }).click();
  await expect(layerItems(page)).toHaveCount(2);
  await expect(layerItems(page).first()).toContainText('Init: a stone bridge');
  await page.getByRole('button', { name: 'Undo' }).click();

  // Delete the original seed 44: the dialog names it; 42, 43 and the re-run stay.
  await original.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete from history' });
  await expect(dialog).toContainText('seed 44');
  await shot(page, '12-batch-delete-one');
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(historyRows(page)).toHaveCount(3);
  await expect(seedRow(page, 42)).toHaveCount(1);
  await expect(seedRow(page, 43)).toHaveCount(1);
  await expect(seedRow(page, 44)).toHaveCount(1);
  await expect(page.getByLabel('History count')).toHaveText('3');
});

test('Cancel stops a re-run: no layer, a clear notice', async ({ page }) => {
  // 150 steps: long enough that Cancel always lands before the re-run ends (40 steps raced it on a fast machine).
  await openApp(page, { size: 128, steps: 150 });
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a slow mill');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(layerItems(page)).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();
  await historyRows(page).first().getByRole('button', { name: 'Re-run', exact: true }).click();
  await page.locator('.statusbar').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('.statusbar')).toContainText('Generation cancelled.');
  await expect(layerItems(page)).toHaveCount(1);
  await expect(historyRows(page)).toHaveCount(1);
});
