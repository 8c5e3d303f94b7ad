import { expect, generateAndWait, layerItems, openApp, shot, test } from './fixtures.js';

test('save, start a new document, reopen: the same document comes back', async ({ page }) => {
  await openApp(page);
  await generateAndWait(page, 'a blue boat', 1);
  await layerItems(page).first().dblclick();
  await page.getByLabel('Layer name').fill('Boat');
  await page.getByLabel('Layer name').press('Enter');
  await page.getByRole('button', { name: 'Save As' }).click();
  await page.getByLabel('Document name').fill('e2e boat');
  await page.getByRole('dialog', { name: 'Save document' }).getByRole('button', { name: 'Save' }).click();
  await expect(page.getByLabel('Document name')).toHaveCount(0);
  await expect(page.getByText('e2e boat', { exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'New', exact: true }).click();
  await expect(layerItems(page)).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'History' }).getByRole('listitem')).toHaveCount(0);

  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('list', { name: 'Documents' }).getByRole('button', { name: /e2e boat/ }).click();
  await expect(layerItems(page)).toHaveCount(1);
  await expect(layerItems(page).first()).toContainText('Boat');
  const thumb = layerItems(page).first().locator('img');
  await expect.poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(128);
  // The reopened document keeps its id, so its history comes back with it.
  await expect(page.getByRole('list', { name: 'History' }).getByRole('listitem')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Undo' })).toBeDisabled();
  await shot(page, '06-reopened');
});
