import { dragOnCanvas, expect, generateAndWait, layerItems, openApp, shot, test } from './fixtures.js';

test('canvas feel: one wheel notch is one 1.25× step with or without Ctrl; [ and ] resize the brush; Space shows the hand', async ({ page }) => {
  await openApp(page);
  const canvas = page.getByRole('application', { name: 'Canvas' });
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const zoomNow = async () => Number(await canvas.getAttribute('data-zoom'));
  const z0 = await zoomNow();
  await page.mouse.wheel(0, -100);
  await expect.poll(zoomNow).toBeCloseTo(z0 * 1.25, 3);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -100);
  await page.keyboard.up('Control');
  await expect.poll(zoomNow).toBeCloseTo(z0 * 1.25 * 1.25, 3);

  await page.getByRole('button', { name: 'Brush', exact: true }).click();
  const size = page.getByLabel('Brush size');
  await size.fill('40');
  await size.blur();
  await page.keyboard.press(']');
  await expect(size).toHaveValue('50');
  await page.keyboard.press('[');
  await page.keyboard.press('[');
  await expect(size).toHaveValue('32');

  await page.keyboard.down('Space');
  await expect(canvas).toHaveAttribute('data-space-pan', 'true');
  await page.keyboard.up('Space');
  await expect(canvas).not.toHaveAttribute('data-space-pan', /.*/);
});

test('a fitted view re-fits when the window is resized; a chosen zoom stays', async ({ page }) => {
  await openApp(page);
  const canvas = page.getByRole('application', { name: 'Canvas' });
  const zoomNow = async () => Number(await canvas.getAttribute('data-zoom'));
  await page.getByRole('button', { name: 'Fit' }).click();
  const fitted = await zoomNow();
  await page.setViewportSize({ width: 1000, height: 700 });
  await expect.poll(zoomNow).toBeLessThan(fitted);
  await page.getByRole('button', { name: 'Zoom in' }).click();
  const chosen = await zoomNow();
  await page.setViewportSize({ width: 1300, height: 800 });
  await page.waitForTimeout(300);
  expect(await zoomNow()).toBe(chosen);
});

test('after an inpaint the mask overlay hides (kept, one toggle shows it); layer names carry prompt and seed', async ({ page }) => {
  await openApp(page);
  await generateAndWait(page, 'a wooden table', 1);
  await expect(layerItems(page).first()).toContainText(/a wooden table · seed \d+/);
  await page.getByRole('button', { name: 'Brush', exact: true }).click();
  await page.getByLabel('Brush size').fill('40');
  await dragOnCanvas(page, [24, 64], [104, 64]);
  const maskHost = page.locator('.mask-host');
  await expect(maskHost).not.toHaveAttribute('data-hidden', 'true');
  await generateAndWait(page, 'a green apple', 2);
  await expect(maskHost).toHaveAttribute('data-hidden', 'true');
  const toggle = page.getByRole('button', { name: 'Show mask' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(maskHost).not.toHaveAttribute('data-hidden', 'true');
  await toggle.click();
  await expect(maskHost).toHaveAttribute('data-hidden', 'true');
  // The mask is kept: the undo history still ends with the inpaint, not a mask change.
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveAttribute('title', 'Undo Generate');
  await shot(page, '12-inpaint-mask-hidden');
});

test('the 1280×720 layout: canvas, prompt panel, layers and History rows all on screen', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openApp(page);
  await page.getByLabel('Batch').fill('2');
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a lighthouse on a cliff, a long prompt that names the picture');
  await page.getByRole('button', { name: 'Generate' }).click();
  // A batch opens the chooser; Keep all lands both.
  await page.getByRole('region', { name: 'Batch chooser' }).getByRole('button', { name: 'Keep all' }).click({ timeout: 60_000 });
  await expect(layerItems(page)).toHaveCount(2);
  const rows = page.getByRole('list', { name: 'History' }).getByRole('listitem');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toBeInViewport();
  await expect(rows.nth(1)).toBeInViewport();
  // The header counts the rows (images), not jobs.
  await expect(page.getByLabel('History count')).toHaveText('2');
  // Rows are readable: the prompt and the action buttons are not clipped by the row.
  for (const r of [rows.first(), rows.nth(1)]) {
    const box = (await r.boundingBox())!;
    const actions = (await r.getByRole('toolbar', { name: 'Entry actions' }).boundingBox())!;
    expect(actions.y + actions.height).toBeLessThanOrEqual(box.y + box.height + 0.5);
    expect(actions.x + actions.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
  }
  await shot(page, '12-layout-1280x720');
});
