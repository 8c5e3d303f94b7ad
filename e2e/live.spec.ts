import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { docToScreen, dragOnCanvas, expect, layerItems, openApp, shot, test, watchJobUi } from './fixtures.js';

const DEMO = join(import.meta.dirname, '..', 'native-models', 'demo', 'atelier-shapes-128', 'unet', 'model.onnx');

/** Drafts shown so far (the live controller marks each one it puts on screen). */
const shown = (page: Page) => page.evaluate<number>(`performance.getEntriesByName('live-shown').length`);

test('live: prompt → draft, paint → new draft, Apply keeps it with its parameters, Finish renders it properly, Undo removes it', async ({ page }) => {
  test.skip(!existsSync(DEMO), 'the trained demo model is not built (native-models/demo/atelier-shapes-128)');
  // Several drafts, a full render and a model load: minutes on a loaded 2-core machine.
  test.setTimeout(240_000);
  await openApp(page, { steps: 12 });
  await page.getByLabel('Model').selectOption('atelier-shapes-128');
  await expect(page.getByLabel('Width')).toHaveValue('128');
  await page.getByRole('button', { name: 'Fit' }).click();
  const canvas = page.getByRole('application', { name: 'Canvas' });

  await page.getByRole('button', { name: 'Live mode' }).click();
  await expect(page.getByRole('button', { name: 'Live mode' })).toHaveAttribute('aria-pressed', 'true');
  // Fast settings, editable: the demo model's reduced steps.
  await expect(page.getByLabel('Live strength')).toHaveValue('0.4');
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a large red circle on the left on a sky background');
  await expect.poll(() => shown(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
  await expect(page.getByText('Up to date')).toBeVisible();
  const before = await canvas.screenshot();

  // Paint a blue blob in the frame: the stroke becomes a layer, the draft follows it.
  await page.getByRole('button', { name: 'Paint', exact: true }).click();
  await page.getByLabel('Paint colour').fill('#2050e0');
  await page.getByLabel('Brush size').fill('30');
  const n = await shown(page);
  const a = await docToScreen(page, 70, 60);
  const b = await docToScreen(page, 110, 100);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 6 });
  await shot(page, 'live-mid-stroke');
  await page.mouse.move(b.x, b.y, { steps: 6 });
  await page.mouse.up();
  await expect(layerItems(page)).toHaveCount(1);
  await expect(layerItems(page).first()).toContainText('Paint');
  await expect.poll(() => shown(page), { timeout: 60_000 }).toBeGreaterThan(n);
  await expect(page.getByText('Up to date')).toBeVisible();
  expect(Buffer.compare(before, await canvas.screenshot())).not.toBe(0);
  await shot(page, 'live-after-stroke');

  // Apply: the draft as a layer with its parameters, one undo step, a History row "from live draft".
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(layerItems(page)).toHaveCount(2);
  const applied = layerItems(page).filter({ hasText: 'Live · a large red circle on the left on a' });
  await expect(applied).toHaveCount(1);
  await expect(applied.locator('.layer-name')).toHaveAttribute('title', /img2img · seed \d+ · \d+ steps · guidance 5 · strength 0.4 · atelier-shapes-128/);
  await expect(page.locator('.history-row').first()).toContainText('from live draft');
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveAttribute('title', 'Undo Apply live result');

  // Finish: a normal job with progress, at the panel's full steps, same seed and strength.
  const sawJobUi = await watchJobUi(page);
  await page.getByRole('button', { name: 'Finish', exact: true }).click();
  await sawJobUi();
  await expect(layerItems(page)).toHaveCount(3, { timeout: 60_000 });
  const finished = layerItems(page).first();
  await expect(finished.locator('.layer-name')).toHaveAttribute('title', /img2img · seed \d+ · 20 steps · guidance 5 · strength 0.4/);
  await shot(page, 'live-finished');
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(layerItems(page)).toHaveCount(2);

  // Hiding the preview shows the canvas beneath; Live off shows no draft.
  await page.getByLabel('Show live preview').uncheck();
  await page.getByRole('button', { name: 'Live mode' }).click();
  await expect(page.getByRole('button', { name: 'Live mode' })).toHaveAttribute('aria-pressed', 'false');
});

test('live: painting in a running draft never has two drafts in flight, and a quiet canvas runs nothing', async ({ page }) => {
  test.skip(!existsSync(DEMO), 'the trained demo model is not built (native-models/demo/atelier-shapes-128)');
  test.setTimeout(180_000);
  await openApp(page, { steps: 12 });
  await page.getByLabel('Model').selectOption('atelier-shapes-128');
  await page.getByRole('button', { name: 'Fit' }).click();
  await page.getByRole('button', { name: 'Live mode' }).click();
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a blue square');
  await page.getByRole('button', { name: 'Paint', exact: true }).click();
  for (const y of [20, 50, 80, 110]) await dragOnCanvas(page, [10, y], [118, y], 6);
  // Every stroke is in its layer, and the draft answers the last one.
  await expect.poll(() => page.evaluate<number>(`performance.getEntriesByName('paint-committed').length`)).toBe(4);
  await expect(page.getByText('Up to date')).toBeVisible({ timeout: 60_000 });
  const counts = await page.evaluate<{ starts: number[]; ends: number[] }>(`({
    starts: performance.getEntriesByName('live-job-start').map((e) => e.startTime),
    ends: performance.getEntriesByName('live-job-end').map((e) => e.startTime),
  })`);
  const events = [...counts.starts.map((t) => [t, 1]), ...counts.ends.map((t) => [t, -1])].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let inFlight = 0;
  let most = 0;
  for (const [, d] of events) most = Math.max(most, (inFlight += d));
  expect(most).toBe(1);
  expect(counts.starts.length).toBe(counts.ends.length);
  const started = counts.starts.length;
  await page.waitForTimeout(2500);
  expect(await page.evaluate<number>(`performance.getEntriesByName('live-job-start').length`)).toBe(started);
});

test('live: a sketch on a Control layer is never part of the draft\'s picture, not even before its stroke is stored', async ({ page }) => {
  test.setTimeout(180_000);
  await openApp(page, { steps: 2 });
  await page.getByRole('button', { name: 'Live mode' }).click();
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a quiet lake');
  await expect.poll(() => shown(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
  await page.getByRole('button', { name: '+ Add control' }).click();
  const control = page.getByRole('group', { name: 'Control 1' });
  await control.getByLabel('ControlNet').selectOption('controlnet-sd15-tiny');
  await control.getByLabel('Source').selectOption({ label: 'Draw (new Control layer)' });
  await expect(page.getByRole('button', { name: 'Paint', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByText('Up to date')).toBeVisible({ timeout: 60_000 });
  const started = await page.evaluate<number>(`performance.getEntriesByName('live-job-start').length`);

  // Hold every upload: the stroke stays pending (its PNG cannot reach its layer) while Live looks at the canvas.
  let release = () => undefined as void;
  const held = new Promise<void>((r) => (release = r));
  const uploads: string[] = [];
  await page.route('**/*', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    uploads.push(route.request().url());
    await held;
    await route.continue();
  });
  await dragOnCanvas(page, [20, 20], [108, 108]);
  await page.waitForTimeout(3000);
  // Only the stroke's own PNG was sent: Live saw no new picture, so it started no draft and uploaded nothing.
  expect(uploads).toHaveLength(1);
  expect(await page.evaluate<number>(`performance.getEntriesByName('live-job-start').length`)).toBe(started);
  release();
  await expect.poll(() => page.evaluate<number>(`performance.getEntriesByName('paint-committed').length`)).toBe(1);
  await page.unroute('**/*');
});
