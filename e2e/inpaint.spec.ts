import { dragOnCanvas, expect, generateAndWait, layerItems, openApp, shot, test } from './fixtures.js';

test('paint a mask, inpaint: a new masked layer lands on top', async ({ page }) => {
  await openApp(page);
  await generateAndWait(page, 'a wooden table', 1);
  await page.getByRole('button', { name: 'Brush', exact: true }).click();
  await page.getByLabel('Brush size').fill('40');
  await dragOnCanvas(page, [24, 64], [104, 64]);
  await dragOnCanvas(page, [64, 24], [64, 104]);
  await shot(page, '03-mask-painted');
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveAttribute('title', 'Undo Paint mask');
  await generateAndWait(page, 'a green apple', 2);
  const top = layerItems(page).first();
  await expect(top).toContainText('a green apple');
  await expect(top).toContainText('mask');
  await expect(page.getByRole('list', { name: 'History' }).getByRole('listitem').first()).toContainText('inpaint');
  await shot(page, '04-inpainted');
});

test('a frame reaching past the pixels outpaints the empty part', async ({ page }) => {
  await openApp(page);
  await generateAndWait(page, 'a stone wall', 1);
  await page.getByRole('button', { name: 'Frame' }).click();
  // Drag the frame half off the generated layer.
  await dragOnCanvas(page, [64, 64], [128, 64]);
  await generateAndWait(page, 'more stone wall', 2);
  await expect(layerItems(page).first()).toContainText('mask');
  await expect(page.getByRole('list', { name: 'History' }).getByRole('listitem').first()).toContainText('inpaint');
  await shot(page, '05-outpainted');
});

test('"use canvas as init" on a covered frame runs img2img', async ({ page }) => {
  await openApp(page, { steps: 4 });
  await generateAndWait(page, 'a field of flowers', 1);
  await page.getByLabel('Use canvas as init').check();
  await page.getByLabel('Strength').fill('0.5');
  await generateAndWait(page, 'a field of flowers at night', 2);
  await expect(page.getByRole('list', { name: 'History' }).getByRole('listitem').first()).toContainText('img2img');
  await expect(layerItems(page).first()).not.toContainText('mask');
});
