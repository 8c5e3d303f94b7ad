import { join } from 'node:path';
import sharp from 'sharp';
import type { Locator, Page } from '@playwright/test';
import { expect, generateAndWait, openApp, shot, test } from './fixtures.js';

const LORA = join(import.meta.dirname ?? __dirname, '..', 'native-models', 'test-loras', 'sd15-kohya.safetensors');
const historyRows = (page: Page) => page.getByRole('list', { name: 'History' }).getByRole('listitem');

async function pixels(page: Page, item: Locator): Promise<Buffer> {
  const res = await page.request.get(new URL(`/images/${await item.getAttribute('data-image-id')}.png`, page.url()).href);
  expect(res.status()).toBe(200);
  return sharp(await res.body()).raw().toBuffer();
}

test('LoRA: import and pick one with a strength, generate, History shows it, Re-run reproduces the image', async ({ page }) => {
  // The memory label beside Generate asks the engine's check with the picked LoRAs (their merge holds memory).
  const estimates: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => {
    if (typeof f.payload === 'string' && f.payload.includes('"models:estimate"')) estimates.push(f.payload);
  }));
  await openApp(page, { size: 128, steps: 2 });
  await page.getByLabel('Seed', { exact: true }).fill('4242');
  await page.getByLabel('Import LoRA file').setInputFiles(LORA);
  const picked = page.getByRole('group', { name: 'LoRA sd15-kohya' });
  await expect(picked).toBeVisible();
  await picked.getByLabel('sd15-kohya strength value').fill('0.8');
  await expect(picked.getByRole('slider', { name: 'sd15-kohya strength' })).toHaveValue('0.8');
  await expect.poll(() => estimates.some((m) => m.includes('"loras":[{"name":"sd15-kohya"'))).toBe(true);
  await expect(page.getByRole('status').filter({ hasText: /^Memory ≈/ })).toBeVisible();
  await shot(page, 'lora1-picker');

  await generateAndWait(page, 'a lora fox', 1);
  const first = historyRows(page).first();
  await expect(first).toContainText('LoRA sd15-kohya 0.8');
  await shot(page, 'lora2-history');

  // Re-run exactly: same pixels through the merged weights again.
  await first.getByRole('button', { name: 'Re-run', exact: true }).click();
  await expect(historyRows(page)).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByRole('list', { name: 'Layers' }).getByRole('listitem')).toHaveCount(2);
  const rows = historyRows(page).filter({ hasText: 'a lora fox' });
  await expect(rows.nth(0)).toContainText('LoRA sd15-kohya 0.8');
  const [rerun, original] = [await pixels(page, rows.nth(0)), await pixels(page, rows.nth(1))];
  expect(new Set(original).size).toBeGreaterThan(32);
  expect(Buffer.compare(rerun, original)).toBe(0);

  // Without the LoRA, the same seed paints something else: the LoRA was applied.
  await page.getByRole('button', { name: 'Remove LoRA sd15-kohya' }).click();
  // Layers: the first generation, the re-run (it lands on the canvas too), this one.
  await generateAndWait(page, 'a lora fox', 3);
  await expect(historyRows(page)).toHaveCount(3, { timeout: 60_000 });
  const plain = historyRows(page).first();
  await expect(plain).not.toContainText('LoRA');
  expect(Buffer.compare(await pixels(page, plain), original)).not.toBe(0);
});
