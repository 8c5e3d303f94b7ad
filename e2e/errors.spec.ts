import { expect, generateAndWait, layerItems, openApp, shot, test } from './fixtures.js';

test('an engine failure shows a readable message next to the prompt and loses nothing', async ({ page }) => {
  await openApp(page);
  await generateAndWait(page, 'a teapot', 1);
  await page.getByLabel('Model').selectOption('broken-tiny');
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a teapot again');
  await page.getByRole('button', { name: 'Generate' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toBeVisible({ timeout: 60_000 });
  await expect(alert).not.toBeEmpty();
  expect((await alert.textContent())!.length).toBeLessThan(400);
  await shot(page, '09-engine-error');
  await expect(layerItems(page)).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();
  // The next job on a good model works: the engine recovered.
  await page.getByLabel('Model').selectOption('sd15-tiny');
  await generateAndWait(page, 'a teapot, third try', 2);
  await expect(alert).toHaveCount(0);
});
