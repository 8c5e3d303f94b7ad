/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { decodeTextChunk, readPngChunks } from '../electron/core/export/pngChunks.js';
import { COMPOSITE_KEYWORD, type CompositeProvenance } from '../electron/core/export/flatProvenance.js';
import { dragOnCanvas, expect, generateAndWait, layerItems, openApp, shot, test } from './fixtures.js';

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

interface MaskView {
  width: number;
  height: number;
  /** Bounding box of the painted pixels (null: none). */
  box: { x: number; y: number; width: number; height: number } | null;
  /** FNV-1a of the alpha inside `box`, row by row: equal when the same strokes sit there. */
  boxHash: number;
  /** FNV-1a of the whole alpha plane. */
  hash: number;
}

/** The mask as the user sees it: the mask bitmap over the canvas, read back from the page. */
function readMask(page: Page): Promise<MaskView> {
  return page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('canvas.mask-bitmap')!;
    const rgba = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const a = (x: number, y: number) => rgba[(y * c.width + x) * 4 + 3]!;
    let x0 = c.width, y0 = c.height, x1 = -1, y1 = -1;
    let hash = 2166136261;
    for (let y = 0; y < c.height; y++) {
      for (let x = 0; x < c.width; x++) {
        const v = a(x, y);
        hash = Math.imul(hash ^ v, 16777619) >>> 0;
        if (v) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
    }
    const box = x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
    let boxHash = 2166136261;
    if (box) for (let y = box.y; y < box.y + box.height; y++) for (let x = box.x; x < box.x + box.width; x++) boxHash = Math.imul(boxHash ^ a(x, y), 16777619) >>> 0;
    return { width: c.width, height: c.height, box, boxHash, hash };
  });
}

test('the painted mask grows and moves with the document when the frame goes past the left edge; undo and redo restore it', async ({ page }) => {
  await openApp(page, { size: 128, steps: 2 });
  await generateAndWait(page, 'a stone bridge', 1);
  const position = page.getByLabel('Layer position');
  await expect(position).toHaveText('x 0, y 0 · 128×128');
  await page.getByRole('button', { name: 'Brush', exact: true }).click();
  await dragOnCanvas(page, [30, 40], [90, 70]);
  const painted = await readMask(page);
  expect([painted.width, painted.height]).toEqual([512, 512]);
  expect(painted.box).not.toBeNull();

  // The frame dragged 64 px past the left edge: the document grows there and the content moves right by 64.
  await page.getByRole('button', { name: 'Frame' }).click();
  await dragOnCanvas(page, [64, 64], [0, 64]);
  const undo = page.getByRole('button', { name: 'Undo' });
  await expect(undo).toHaveAttribute('title', 'Undo Move frame');
  const canvas = page.getByRole('application', { name: 'Canvas' });
  await expect(canvas).toHaveAttribute('data-doc-width', '576');
  await layerItems(page).first().click();
  await expect(position).toHaveText('x 64, y 0 · 128×128');
  const grown = await readMask(page);
  expect([grown.width, grown.height]).toEqual([576, 512]);
  expect(grown.box).toEqual({ ...painted.box!, x: painted.box!.x + 64 });
  expect(grown.boxHash).toBe(painted.boxHash);

  // The new area takes the brush like the rest.
  await page.getByRole('button', { name: 'Fit' }).click();
  await page.getByRole('button', { name: 'Brush', exact: true }).click();
  await dragOnCanvas(page, [10, 300], [50, 300]);
  const more = await readMask(page);
  expect(more.box!.x).toBeLessThan(64);
  expect(more.box!.y + more.box!.height).toBeGreaterThan(290);
  await shot(page, '12-mask-grows-with-document');

  await undo.click();
  await expect(undo).toHaveAttribute('title', 'Undo Move frame');
  expect(await readMask(page)).toEqual(grown);
  await undo.click();
  await expect(canvas).toHaveAttribute('data-doc-width', '512');
  expect(await readMask(page)).toEqual(painted);
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect(canvas).toHaveAttribute('data-doc-width', '576');
  expect(await readMask(page)).toEqual(grown);
  await shot(page, '12-mask-grows-redo');
});
