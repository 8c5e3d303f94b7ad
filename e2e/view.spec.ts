import { expect, generateAndWait, layerItems, openApp, test } from './fixtures.js';

test('view: wheel zooms around the pointer, Space-drag pans, Fit and 100% — none of it is an undo step', async ({ page }) => {
  await openApp(page);
  const canvas = page.getByRole('application', { name: 'Canvas' });
  const zoom = page.getByLabel('Zoom level');
  const undo = page.getByRole('button', { name: 'Undo' });
  const undoTitle = await undo.getAttribute('title');
  const before = Number(await canvas.getAttribute('data-zoom'));
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await expect.poll(async () => Number(await canvas.getAttribute('data-zoom'))).toBeGreaterThan(before * 1.5);
  await page.getByRole('button', { name: '100%' }).click();
  await expect(zoom).toHaveText('100%');

  const panX = Number(await canvas.getAttribute('data-pan-x'));
  await page.keyboard.down('Space');
  await page.mouse.move(box.x + 300, box.y + 300);
  await page.mouse.down();
  await page.mouse.move(box.x + 380, box.y + 340, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Space');
  await expect.poll(async () => Number(await canvas.getAttribute('data-pan-x'))).toBeCloseTo(panX + 80, 0);
  await page.getByRole('button', { name: 'Fit' }).click();
  await expect(undo).toHaveAttribute('title', undoTitle ?? '');
});

test('opacity: dragging the slider is one undo step, shown live', async ({ page }) => {
  await openApp(page, { steps: 2 });
  await generateAndWait(page, 'fog', 1);
  await layerItems(page).first().click();
  const slider = page.getByRole('slider', { name: 'Opacity' });
  const readout = page.locator('.opacity span');
  const undo = page.getByRole('button', { name: 'Undo' });
  const steps = await undo.getAttribute('title');
  const box = (await slider.boundingBox())!;
  await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 4 });
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  const value = Number((await readout.textContent())!.replace('%', ''));
  expect(value).toBeGreaterThan(35);
  expect(value).toBeLessThan(65);
  await expect(undo).toHaveAttribute('title', 'Undo Layer opacity');
  await undo.click();
  await expect(readout).toHaveText('100%');
  await expect(undo).toHaveAttribute('title', steps ?? '');
});
