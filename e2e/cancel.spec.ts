import { expect, generateAndWait, layerItems, openApp, shot, test } from './fixtures.js';

test('cancel mid-generation: no layer, a clear notice, and the next generation works', async ({ page }) => {
  await openApp(page, { size: 256, steps: 150 });
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a very slow painting');
  await page.getByRole('button', { name: 'Generate' }).click();
  const bar = page.getByRole('progressbar', { name: 'Generation progress' });
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  await expect(page.getByRole('img', { name: 'Step preview' })).toBeVisible();
  await shot(page, '07-generating');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByText('Generation cancelled.')).toBeVisible();
  await expect(layerItems(page)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();

  await page.getByLabel('Steps').fill('2');
  await page.getByLabel('Width').fill('128');
  await page.getByLabel('Height').fill('128');
  await generateAndWait(page, 'a quick one', 1);
});
