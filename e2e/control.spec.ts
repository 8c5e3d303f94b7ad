import sharp from 'sharp';
import type { Locator, Page } from '@playwright/test';
import { dragOnCanvas, expect, layerItems, openApp, shot, test } from './fixtures.js';

/** Issue 20, the app: a scribble on a Control layer guides Generate through the test ControlNet. */

const historyRows = (page: Page) => page.getByRole('list', { name: 'History' }).getByRole('listitem');

async function pixelsOf(page: Page, item: Locator): Promise<Buffer> {
  const res = await page.request.get(new URL(`/images/${await item.getAttribute('data-image-id')}.png`, page.url()).href);
  expect(res.status()).toBe(200);
  return sharp(await res.body()).removeAlpha().raw().toBuffer();
}

async function generate(page: Page, layers: number): Promise<void> {
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(layerItems(page)).toHaveCount(layers, { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();
}

/** White pixels of the preview canvas, read in the page. */
const previewWhite = (preview: Locator) =>
  preview.evaluate((el) => {
    const c = el as unknown as { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i]! > 128) n++;
    return n;
  });

test('a scribble on a Control layer guides the picture; History shows the control; Re-run reproduces it', async ({ page }) => {
  test.setTimeout(300_000); // three generations and five committed strokes on a shared 2-core machine
  await openApp(page, { size: 128, steps: 4 });
  await page.getByLabel('Seed', { exact: true }).fill('4242'); // locks the seed
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a shape');
  await generate(page, 1);
  const plain = await pixelsOf(page, historyRows(page).first());

  // + Add control → the test ControlNet, Draw: a Control layer over the frame, the Paint tool on it.
  await page.getByRole('button', { name: '+ Add control' }).click();
  const control = page.getByRole('group', { name: 'Control 1' });
  await control.getByLabel('ControlNet').selectOption('controlnet-sd15-tiny');
  await control.getByLabel('Source').selectOption({ label: 'Draw (new Control layer)' });
  await expect(layerItems(page).first()).toContainText('Control 1');
  await expect(control.getByLabel('Source')).toHaveValue(/^control-/);
  await expect(control.getByLabel('Type')).toHaveValue('scribble');
  await expect(page.getByRole('button', { name: 'Paint', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await page.getByLabel('Brush size').fill('6');
  // A closed outline (a square) and a diagonal across it.
  await dragOnCanvas(page, [32, 32], [96, 32]);
  await dragOnCanvas(page, [96, 32], [96, 96]);
  await dragOnCanvas(page, [96, 96], [32, 96]);
  await dragOnCanvas(page, [32, 96], [32, 32]);
  await dragOnCanvas(page, [20, 110], [110, 20]);
  const preview = control.getByLabel('Control map preview');
  await expect.poll(() => previewWhite(preview), { timeout: 10_000 }).toBeGreaterThan(200);
  await shot(page, 'c1-control-section-and-layer');
  await control.screenshot({ path: 'out/e2e-screens/c2-control-section.png' });

  await generate(page, 3);
  const top = historyRows(page).first();
  await expect(top).toContainText('control scribble ×1 (controlnet-sd15-tiny)');
  const guided = await pixelsOf(page, top);
  expect(guided.length).toBe(128 * 128 * 3);
  let changed = 0;
  for (let i = 0; i < guided.length; i++) if (guided[i] !== plain[i]) changed++;
  expect(changed / guided.length).toBeGreaterThan(0.5); // same seed and prompt: the control made the difference

  // Re-run the guided entry: the stored map is used again, pixel for pixel.
  await top.getByRole('button', { name: 'Re-run', exact: true }).click();
  await expect(historyRows(page)).toHaveCount(3, { timeout: 60_000 });
  await expect(historyRows(page).first()).toContainText('control scribble');
  expect(Buffer.compare(await pixelsOf(page, historyRows(page).first()), guided)).toBe(0);
  await shot(page, 'c3-history-control-rerun');
});
