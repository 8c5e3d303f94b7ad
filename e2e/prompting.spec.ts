import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dragOnCanvas, expect, generateAndWait, openApp, shot, test } from './fixtures.js';

const DEMO = join(import.meta.dirname, '..', 'native-models', 'demo', 'atelier-shapes-128', 'unet', 'model.onnx');

test('prompt counter shows tokens and chunks; a long prompt is never cut', async ({ page }) => {
  await openApp(page);
  const words = Array.from({ length: 96 }, (_, i) => ['red', 'blue', 'circle', 'square'][i % 4]).join(' ');
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(words);
  await expect(page.getByLabel('token count').first()).toHaveText('96 tokens · 2 chunks');
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a (red:1.3) circle');
  await expect(page.getByLabel('token count').first()).toHaveText('3/75');
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(`${words} BREAK sky`);
  await expect(page.getByLabel('token count').first()).toHaveText('97 tokens · 3 chunks');
  await shot(page, '15-prompt-counter-chunks');
});

test('style presets: pick a shipped one, save the current settings as a new one, generate with it', async ({ page }) => {
  await openApp(page);
  const style = page.getByLabel('Style', { exact: true });
  await expect(style.locator('option')).toContainText(['No style', 'Photographic', 'Cinematic']);
  await style.selectOption('Cinematic');
  await expect(page.locator('.style-template')).toHaveText(/^cinematic film still of \{prompt\}/);
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('{prompt}, moody teal and orange');
  await page.getByRole('button', { name: 'Save style…' }).click();
  await page.getByLabel('Style name').fill('Teal and orange');
  await page.getByRole('button', { name: 'Save style', exact: true }).click();
  await expect(style).toHaveValue('Teal and orange');
  await expect(page.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue('');
  await shot(page, '16-style-picker');
  await generateAndWait(page, 'a lighthouse', 1);
  // History records the expanded prompt.
  await expect(page.getByText('a lighthouse, moody teal and orange').first()).toBeVisible();
});

test('regions tool: two regions with their own prompts over a base prompt', async ({ page }) => {
  const demo = existsSync(DEMO);
  await openApp(page, { steps: 12 });
  if (demo) await page.getByLabel('Model').selectOption('atelier-shapes-128');
  await page.getByRole('button', { name: 'Regions', exact: true }).click();
  await expect(page.getByText('Drag on the canvas to draw an area')).toBeVisible();
  await dragOnCanvas(page, [0, 0], [64, 128]);
  await page.getByLabel('Region 1 prompt').fill('a large red circle');
  await dragOnCanvas(page, [64, 0], [128, 128]);
  await page.getByLabel('Region 2 prompt').fill('a large blue square');
  await page.getByLabel('Region 1 prompt').click();
  await expect(page.getByText('64 × 128 at 64, 0')).toBeVisible();
  await generateAndWait(page, 'blue sky', 1);
  await shot(page, '17-regions-two');
  // Undo the generation, then the second region's prompt edit and the region itself.
  await page.getByRole('button', { name: 'Delete region 2' }).click();
  await expect(page.getByLabel('Region 2 prompt')).toHaveCount(0);
});
