import sharp from 'sharp';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { objectMask } from '../native-models/demo/analyse.js';
import { filledMask, maskIoU, shapePolygon } from '../native-models/demo/outline.js';
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

/** Whether the preview is white at (x, y) of the 128 px frame (the preview shows the map scaled down, ±1 px). */
const previewWhiteAt = (preview: Locator, x: number, y: number) =>
  preview.evaluate((el, [fx, fy]) => {
    const c = el as unknown as { width: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const s = c.width / 128;
    const d = c.getContext('2d').getImageData(Math.round(fx! * s) - 1, Math.round(fy! * s) - 1, 3, 3).data;
    for (let i = 0; i < d.length; i += 4) if (d[i]! > 128) return true;
    return false;
  }, [x, y]);

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
  const preview = control.getByLabel('Control map preview');
  await expect.poll(() => previewWhite(preview), { timeout: 10_000 }).toBeGreaterThan(200);
  await dragOnCanvas(page, [20, 110], [110, 20]);
  // The preview follows the sketch 150 ms after the last change: the shot waits for the diagonal's far end.
  await expect.poll(() => previewWhiteAt(preview, 25, 105), { timeout: 10_000 }).toBe(true);
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

const DEMO_CN = join(import.meta.dirname, '..', 'native-models', 'demo', 'atelier-shapes-128-scribble', 'controlnet', 'model.onnx');

/** The red object's mask in a history image (the demo analyser) against the drawn square: IoU. */
async function squareIoU(page: Page, item: Locator, square: Uint8Array): Promise<number> {
  const res = await page.request.get(new URL(`/images/${await item.getAttribute('data-image-id')}.png`, page.url()).href);
  const data = new Uint8Array(await sharp(await res.body()).ensureAlpha().raw().toBuffer());
  return maskIoU(objectMask({ width: 128, height: 128, data }, 'red'), square);
}

test('the demo ControlNet follows a square sketched off-centre (the eraser cleans the sketch); History shows it; Re-run reproduces it', async ({ page }) => {
  test.skip(!existsSync(DEMO_CN), 'the demo ControlNet is not built (native-models/demo/atelier-shapes-128-scribble)');
  test.setTimeout(300_000);
  await openApp(page, { size: 128 });
  await page.getByLabel('Model').selectOption('atelier-shapes-128'); // its recommended 20 steps, Euler, guidance 5
  await page.getByLabel('Seed', { exact: true }).fill('7');
  // The prompt says no place: without the control the model puts the square in the middle.
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a large red square, white background');
  await generate(page, 1);
  // The outline the user draws below: corners (16, 16) and (58, 58), the world's large square.
  const square = filledMask(shapePolygon('square', 37, 37, 21), 128);
  const plainIoU = await squareIoU(page, historyRows(page).first(), square);

  await page.getByRole('button', { name: '+ Add control' }).click();
  const control = page.getByRole('group', { name: 'Control 1' });
  await control.getByLabel('ControlNet').selectOption('atelier-shapes-128-scribble');
  await control.getByLabel('Source').selectOption({ label: 'Draw (new Control layer)' });
  await expect(control.getByLabel('Type')).toHaveValue('scribble');
  await page.getByLabel('Brush size').fill('4');
  const corners: Array<[number, number]> = [[16, 16], [58, 16], [58, 58], [16, 58]];
  for (let i = 0; i < 4; i++) await dragOnCanvas(page, corners[i]!, corners[(i + 1) % 4]!);
  const preview = control.getByLabel('Control map preview');
  // All four sides in the preview (the middle of each).
  for (const [x, y] of [[37, 16], [58, 37], [37, 58], [16, 37]] as const) await expect.poll(() => previewWhiteAt(preview, x, y), { timeout: 10_000 }).toBe(true);
  const outline = await previewWhite(preview);
  // A slip of the pen, then the Eraser on the Control layer takes it out again (and leaves the square).
  await dragOnCanvas(page, [80, 110], [118, 110]);
  await expect.poll(() => previewWhiteAt(preview, 100, 110), { timeout: 10_000 }).toBe(true);
  await page.getByRole('button', { name: 'Eraser', exact: true }).click();
  await page.getByLabel('Brush size').fill('12');
  await dragOnCanvas(page, [72, 110], [126, 110]);
  await expect.poll(() => previewWhiteAt(preview, 100, 110), { timeout: 10_000 }).toBe(false);
  const cleaned = await previewWhite(preview);
  expect(cleaned).toBeLessThanOrEqual(outline);
  expect(cleaned).toBeGreaterThan(outline * 0.9);
  await shot(page, 'c4-demo-control-sketch');

  await generate(page, 3);
  const top = historyRows(page).first();
  await expect(top).toContainText('control scribble ×1 (atelier-shapes-128-scribble)');
  const guidedIoU = await squareIoU(page, top, square);
  await shot(page, 'c5-demo-control-followed');
  // bench controlnet (40 seeds, 4 outlines): IoU with the control ≥ 0.5 in most seeds, without it ≈ 0.1.
  expect(plainIoU).toBeLessThan(0.3);
  expect(guidedIoU).toBeGreaterThan(0.5);
  const guided = await pixelsOf(page, top);

  await top.getByRole('button', { name: 'Re-run', exact: true }).click();
  await expect(historyRows(page)).toHaveCount(3, { timeout: 60_000 });
  await expect(historyRows(page).first()).toContainText('control scribble ×1 (atelier-shapes-128-scribble)');
  expect(Buffer.compare(await pixelsOf(page, historyRows(page).first()), guided)).toBe(0);
});
