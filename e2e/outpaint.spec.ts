import sharp from 'sharp';
import { SCREENS, docToScreen, dragOnCanvas, expect, generateAndWait, layerItems, openApp, test } from './fixtures.js';
import { join } from 'node:path';

/** Mean RGB of the screenshot pixels in columns [x0, x1) and rows [y0, y1). */
function meanRgb(img: { data: Buffer; width: number }, x0: number, x1: number, y0: number, y1: number): number[] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 4;
      for (let c = 0; c < 3; c++) sum[c]! += img.data[i + c]!;
      n++;
    }
  }
  return sum.map((v) => v / n);
}

test('outpainting past the picture leaves no grey line at the old edge (zoomed-in screenshot)', async ({ page }) => {
  await openApp(page, { steps: 8 });
  const model = page.getByLabel('Model');
  test.skip((await model.locator('option[value="atelier-shapes-128"]').count()) === 0, 'the demo model is not installed');
  await model.selectOption('atelier-shapes-128');
  await page.getByLabel('Steps').fill('8');
  await generateAndWait(page, 'a red circle on green grass', 1);
  await page.getByRole('button', { name: 'Frame' }).click();
  // Move the frame 64 px right, half past the picture: the right half is empty and gets outpainted.
  await dragOnCanvas(page, [64, 64], [128, 64]);
  await generateAndWait(page, 'green grass', 2);
  await expect(layerItems(page).first()).toContainText('mask');
  await page.getByRole('button', { name: 'Frame' }).press('Escape');
  // Zoom in around the old edge (document x = 128) and look at what the user sees there.
  await page.getByRole('button', { name: 'Fit' }).click();
  const canvas = page.getByRole('application', { name: 'Canvas' });
  const fit = Number(await canvas.getAttribute('data-zoom'));
  const at = await docToScreen(page, 128, 64);
  await page.mouse.move(at.x, at.y);
  await page.mouse.wheel(0, -500);
  await expect.poll(async () => Number(await canvas.getAttribute('data-zoom'))).toBeGreaterThan(fit * 2.5);
  const edge = await docToScreen(page, 128, 64);
  const zoom = Number(await canvas.getAttribute('data-zoom'));
  const half = Math.round(16 * zoom);
  const clip = { x: Math.round(edge.x - half), y: Math.round(edge.y - half), width: 2 * half, height: 2 * half };
  const path = join(SCREENS, '12-outpaint-seam-zoomed.png');
  await page.screenshot({ path, clip });
  const { data, info } = await sharp(path).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const img = { data, width: info.width };
  // The 2 document pixels either side of the edge vs the pixels 3–6 px beside it, on both sides.
  const px = (d: number) => Math.round(half + d * zoom);
  const line = meanRgb(img, px(-1), px(1), 0, info.height);
  const beside = meanRgb(img, px(-6), px(-3), 0, info.height).map((v, c) => (v + meanRgb(img, px(3), px(6), 0, info.height)[c]!) / 2);
  const greyness = (rgb: number[]) => Math.max(...rgb) - Math.min(...rgb);
  // Grass is strongly green; the old seam was a grey line (saturation fell by half there).
  expect(greyness(line)).toBeGreaterThan(greyness(beside) * 0.8);
  expect(Math.max(...line.map((v, c) => Math.abs(v - beside[c]!)))).toBeLessThan(16);
});
