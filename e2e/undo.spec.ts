import { dragOnCanvas, expect, generateAndWait, layerItems, openApp, test } from './fixtures.js';

test('undo/redo: generated layer, layer move, mask stroke; buttons and shortcuts', async ({ page }) => {
  await openApp(page);
  await generateAndWait(page, 'a lighthouse', 1);
  const position = page.getByLabel('Layer position');
  await expect(position).toHaveText('x 0, y 0 · 128×128');

  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await dragOnCanvas(page, [60, 60], [100, 92]);
  await expect(position).toHaveText('x 40, y 32 · 128×128');

  await page.getByRole('button', { name: 'Brush', exact: true }).click();
  await dragOnCanvas(page, [150, 150], [200, 180]);
  const undo = page.getByRole('button', { name: 'Undo' });
  const redo = page.getByRole('button', { name: 'Redo' });
  await expect(undo).toHaveAttribute('title', 'Undo Paint mask');

  await undo.click();
  await expect(undo).toHaveAttribute('title', 'Undo Move layer');
  await undo.click();
  await expect(position).toHaveText('x 0, y 0 · 128×128');
  await undo.click();
  await expect(layerItems(page)).toHaveCount(0);
  // What remains is openApp's frame resize (one step for Width+Height typed in).
  await expect(undo).toHaveAttribute('title', 'Undo Resize frame');

  await redo.click();
  await expect(layerItems(page)).toHaveCount(1);
  await page.keyboard.press('Control+Shift+Z');
  await layerItems(page).first().click();
  await expect(position).toHaveText('x 40, y 32 · 128×128');
  await page.keyboard.press('Control+Z');
  await expect(position).toHaveText('x 0, y 0 · 128×128');
  await page.keyboard.press('Control+Shift+Z');
  await page.keyboard.press('Control+Shift+Z');
  await expect(undo).toHaveAttribute('title', 'Undo Paint mask');
  await expect(redo).toBeDisabled();
});

test('layers: rename, hide, opacity, reorder, delete — each one undo step', async ({ page }) => {
  await openApp(page, { steps: 2 });
  await generateAndWait(page, 'first', 1);
  await generateAndWait(page, 'second', 2);
  await expect(layerItems(page).nth(0)).toContainText('second');
  await page.getByRole('button', { name: 'Lower layer' }).click();
  await expect(layerItems(page).nth(0)).toContainText('first');
  await layerItems(page).nth(0).dblclick();
  await page.getByLabel('Layer name').fill('Background');
  await page.getByLabel('Layer name').press('Enter');
  await expect(layerItems(page).nth(0)).toContainText('Background');
  await page.getByRole('button', { name: 'Hide Background' }).click();
  await expect(page.getByRole('button', { name: 'Show Background' })).toBeVisible();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('button', { name: 'Hide Background' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete layer' }).click();
  await expect(layerItems(page)).toHaveCount(1);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(layerItems(page)).toHaveCount(2);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(layerItems(page).nth(0)).toContainText('first');
});
