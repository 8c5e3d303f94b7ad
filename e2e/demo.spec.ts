import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dragOnCanvas, expect, generateAndWait, layerItems, openApp, shot, test } from './fixtures.js';

const DEMO = join(import.meta.dirname, '..', 'native-models', 'demo', 'atelier-shapes-128', 'unet', 'model.onnx');

test('demo model: a prompted shape, then inpaint another one into a masked area', async ({ page }) => {
  test.skip(!existsSync(DEMO), 'the trained demo model is not built (native-models/demo/atelier-shapes-128)');
  await openApp(page, { steps: 12 });
  await page.getByLabel('Model').selectOption('atelier-shapes-128');
  // Picking the model applies what it was made for.
  await expect(page.getByLabel('Model').locator('option:checked')).toHaveText('Demo · shapes, 128 px (atelier-shapes-128)');
  await expect(page.getByLabel('Steps')).toHaveValue('20');
  await expect(page.getByLabel('Width')).toHaveValue('128');
  await generateAndWait(page, 'a large red circle on the left on a sky background', 1);
  await shot(page, '12-demo-generated');
  await page.getByRole('button', { name: 'Brush', exact: true }).click();
  await page.getByLabel('Brush size').fill('44');
  for (const y of [76, 88, 100]) await dragOnCanvas(page, [72, y], [116, y]);
  await generateAndWait(page, 'a large yellow star on the right on a sky background', 2);
  await expect(layerItems(page).first()).toContainText('mask');
  await page.getByRole('button', { name: 'Clear mask' }).click();
  await shot(page, '13-demo-inpainted');
});
