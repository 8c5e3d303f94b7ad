import { expect, generateAndWait, openApp, shot, test } from './fixtures.js';

test('generate: a layer appears with the image, and the history lists it', async ({ page }) => {
  await openApp(page);
  await shot(page, '01-empty');
  await expect(page.getByText(/^\d+\/75$/).first()).toBeVisible();
  await generateAndWait(page, 'a red circle on a blue background', 1);
  const layers = page.getByRole('list', { name: 'Layers' });
  await expect(layers.getByRole('listitem').first()).toContainText('a red circle on a blue background');
  // The layer thumbnail is a real decoded image served by URL.
  const thumb = layers.getByRole('listitem').first().locator('img');
  await expect.poll(() => thumb.evaluate((img) => { const i = img as unknown as { complete: boolean; naturalWidth: number }; return i.complete && i.naturalWidth; })).toBe(128);
  await expect(page.getByRole('list', { name: 'History' }).getByRole('listitem')).toHaveCount(1);
  await shot(page, '02-generated');
});
