/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { decodeTextChunk, readPngChunks } from '../electron/core/export/pngChunks.js';
import { COMPOSITE_KEYWORD, type CompositeProvenance } from '../electron/core/export/flatProvenance.js';
import { dragOnCanvas, expect, generateAndWait, openApp, test } from './fixtures.js';

/** Issue 12, edges found after its first round: a painted-over layer's provenance, the mask when the document grows. */

async function exportFramePng(page: Page): Promise<Map<string, string>> {
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByLabel('Format').selectOption('png');
  await page.getByLabel('Only the generation frame').check();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export file' }).click();
  const png = readFileSync(await (await download).path());
  return new Map(readPngChunks(png).chunks.map((c) => decodeTextChunk(c)).filter((t) => t !== undefined).map((t) => [t!.keyword, t!.text]));
}

test('a generated layer painted over no longer claims its parameters in a flat PNG; undo gives them back', async ({ page }) => {
  await openApp(page, { size: 128, steps: 2 });
  await generateAndWait(page, 'an orange cat', 1);
  expect((await exportFramePng(page)).get('parameters')).toMatch(/^an orange cat\n/);

  await page.getByRole('button', { name: 'Paint', exact: true }).click();
  await dragOnCanvas(page, [20, 64], [108, 64], 6);
  await expect.poll(() => page.evaluate<number>(`performance.getEntriesByName('paint-committed').length`)).toBe(1);
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveAttribute('title', 'Undo Paint');
  const painted = await exportFramePng(page);
  expect(painted.has('parameters')).toBe(false);
  const composite = JSON.parse(painted.get(COMPOSITE_KEYWORD)!) as CompositeProvenance;
  expect(composite.note).toMatch(/changed after generation \(painted over/);
  expect(composite.layers).toMatchObject([{ seed: expect.any(Number), edited: true, settings: { prompt: 'an orange cat' } }]);

  await page.getByRole('button', { name: 'Undo' }).click();
  const undone = await exportFramePng(page);
  expect(undone.get('parameters')).toMatch(/^an orange cat\n/);
  expect(undone.has(COMPOSITE_KEYWORD)).toBe(false);
  await page.getByRole('button', { name: 'Redo' }).click();
  expect((await exportFramePng(page)).has('parameters')).toBe(false);
});
