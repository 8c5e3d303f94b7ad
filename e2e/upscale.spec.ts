import { readFileSync } from 'node:fs';
import { readPsd } from 'ag-psd';
import { dragOnCanvas, expect, generateAndWait, layerItems, openApp, shot, test } from './fixtures.js';

test('upscale: a generated layer ×4 becomes a new 4× layer (one undo step), the document grows, and it exports to PSD', async ({ page }) => {
  await openApp(page, { size: 128 });
  await generateAndWait(page, 'a red circle on a blue background', 1);
  await layerItems(page).first().click();
  await page.getByRole('button', { name: 'Upscale…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Upscale layer' });
  await dialog.getByLabel('Upscaler').selectOption('upscale-linear-x4');
  await dialog.getByLabel('Factor').selectOption('4');
  await expect(dialog.getByText('128×128 → 512×512')).toBeVisible();
  await shot(page, 'upscale-01-dialog');
  await dialog.getByRole('button', { name: 'Upscale' }).click();

  await expect(layerItems(page)).toHaveCount(2, { timeout: 60_000 });
  await expect(layerItems(page).first()).toContainText('×4');
  await expect(page.getByLabel('Layer position')).toHaveText('x 0, y 0 · 512×512');
  await expect(page.getByText(/Upscaled to 512×512/)).toBeVisible();
  // The new layer's image is the real 512 px result, served by URL.
  const thumb = layerItems(page).first().locator('img');
  await expect.poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(512);
  await shot(page, 'upscale-02-done');

  // Export with the upscaled layer: the PSD is 512×512 with both layers at their sizes.
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByLabel('Format').selectOption('psd');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export file' }).click();
  const psd = readPsd(readFileSync(await (await download).path()), { skipLayerImageData: true, skipCompositeImageData: true, skipThumbnail: true });
  expect([psd.width, psd.height]).toEqual([512, 512]);
  const sizes = (psd.children ?? []).map((l) => [l.name, (l.right ?? 0) - (l.left ?? 0), (l.bottom ?? 0) - (l.top ?? 0)]);
  // Generated layers are named "prompt · seed N"; the upscaled one adds "×4".
  expect(sizes).toEqual([
    [expect.stringMatching(/^a red circle on a blue background · seed \d+$/), 128, 128],
    [expect.stringMatching(/^a red circle on a blue background · seed \d+ ×4$/), 512, 512],
  ]);

  // One undo step removes the layer and shrinks the document back.
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(layerItems(page)).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveAttribute('title', 'Undo Generate');
});

test('upscale: a factor the model cannot make is refused in one sentence, and nothing is added', async ({ page }) => {
  await openApp(page, { size: 64 });
  await generateAndWait(page, 'a blue square', 1);
  await layerItems(page).first().click();
  await page.getByRole('button', { name: 'Upscale…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Upscale layer' });
  await dialog.getByLabel('Upscaler').selectOption('upscale-shuffle-x2');
  await dialog.getByLabel('Factor').selectOption('4');
  await dialog.getByRole('button', { name: 'Upscale' }).click();
  await expect(page.getByText('this upscaler enlarges ×2; the factor must be more than 0 and at most 2 (got 4)')).toBeVisible();
  await expect(layerItems(page)).toHaveCount(1);
});

test('upscale and refine: the document\'s regional prompts over the layer go with the refine, relative to the layer', async ({ page }) => {
  test.setTimeout(180_000);
  const starts: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => {
    if (typeof f.payload === 'string' && f.payload.includes('"upscale:start"')) starts.push(f.payload);
  }));
  await openApp(page, { size: 128, steps: 2 });
  await generateAndWait(page, 'a harbour at dusk', 1);
  // A region over the right half of the layer.
  await page.getByRole('button', { name: 'Regions', exact: true }).click();
  await dragOnCanvas(page, [64, 0], [128, 128]);
  await page.getByLabel('Region 1 prompt').fill('a lighthouse');
  await layerItems(page).first().click();
  await page.getByRole('button', { name: 'Upscale…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Upscale layer' });
  await dialog.getByLabel('Upscaler').selectOption('upscale-linear-x4');
  await dialog.getByLabel('Factor').selectOption('2');
  await dialog.getByLabel(/^Refine strength/).fill('0.3');
  await dialog.getByRole('button', { name: 'Upscale' }).click();
  await expect(page.getByText(/Upscaled to 256×256 .*refined in one tile\.$/)).toBeVisible({ timeout: 120_000 });
  await expect(layerItems(page)).toHaveCount(2);
  await shot(page, 'upscale-03-refined-with-regions');
  expect(starts).toHaveLength(1);
  const sent = JSON.parse(starts[0]!) as { channel: string; payload: { refine?: { settings?: { regions?: unknown } } } };
  expect(sent.channel).toBe('upscale:start');
  expect(sent.payload.refine?.settings?.regions).toEqual([{ x: 64, y: 0, width: 64, height: 128, prompt: 'a lighthouse' }]);
});
