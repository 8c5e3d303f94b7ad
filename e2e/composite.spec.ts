import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument, type Layer } from '../electron/contract/document.js';
import { packDocument } from '../electron/core/document/documentFile.js';
import { gradientImage, imageSet } from '../electron/core/export/fixtures/sampleDocument.js';
import { compositeDocument } from '../electron/shared/image/composite.js';
import { createGray, createRgba, type GrayImage, type RgbaImage } from '../electron/shared/image/pixels.js';
import { clickNew, expect, layerItems, openApp, shot, test } from './fixtures.js';

/**
 * The canvas and the exporter flatten through one compositor (shared/image/composite.ts). This opens a
 * document with nested groups (opacity, blend modes, a hidden group), a layer mask, blend modes, partial alpha
 * and a layer hanging off the canvas, reads the pixels the canvas shows at 100%, exports a flat PNG through
 * the app, and compares the two.
 */

const W = 96;
const H = 64;

async function groupedDocument(): Promise<{ doc: AtelierDocument; images: Map<string, Uint8Array>; pixels: Map<string, RgbaImage | GrayImage> }> {
  const { images, pixels, add } = imageSet();
  const off = createRgba(40, 24, [200, 40, 40, 255]);
  for (let i = 3; i < off.data.length; i += 16) off.data[i] = 128; // partial alpha
  const mask = createGray(44, 28);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 44; x++) mask.data[y * 44 + x] = Math.min(255, x * 8);
  const ids = {
    bg: await add(gradientImage(W, H)),
    off: await add(off),
    a1: await add(gradientImage(48, 40, 3)),
    b1: await add(createRgba(40, 30, [30, 200, 240, 255])),
    b2: await add(createRgba(20, 20, [250, 120, 10, 255])),
    mask: await add(mask),
    c1: await add(createRgba(30, 30, [255, 255, 0, 255])),
    top: await add(createRgba(16, 16, [20, 20, 20, 255])),
  };
  const base = { opacity: 1, visible: true, blendMode: 'normal' as const };
  const layers: Layer[] = [
    { ...base, id: 'bg', kind: 'raster', name: 'Background', x: 0, y: 0, width: W, height: H, imageId: ids.bg },
    { ...base, id: 'off', kind: 'raster', name: 'Off the edge', x: -8, y: -8, width: 40, height: 24, imageId: ids.off },
    { ...base, id: 'A', kind: 'group', name: 'Lights', blendMode: 'screen', opacity: 0.7 },
    { ...base, id: 'a1', kind: 'raster', name: 'Glow', x: 30, y: 10, width: 48, height: 40, blendMode: 'multiply', imageId: ids.a1, parentId: 'A' },
    { ...base, id: 'B', kind: 'group', name: 'Inner', blendMode: 'overlay', opacity: 0.6, parentId: 'A' },
    {
      ...base, id: 'b1', kind: 'raster', name: 'Masked difference', x: 40, y: 20, width: 40, height: 30, blendMode: 'difference', imageId: ids.b1,
      mask: { imageId: ids.mask, x: 36, y: 18, width: 44, height: 28 }, parentId: 'B',
    },
    { ...base, id: 'b2', kind: 'raster', name: 'Orange', x: 10, y: 30, width: 20, height: 20, opacity: 0.8, imageId: ids.b2, parentId: 'B' },
    { ...base, id: 'C', kind: 'group', name: 'Hidden group', visible: false },
    { ...base, id: 'c1', kind: 'raster', name: 'Yellow', x: 0, y: 0, width: 30, height: 30, imageId: ids.c1, parentId: 'C' },
    { ...base, id: 'top', kind: 'raster', name: 'Hard light', x: 70, y: 40, width: 16, height: 16, blendMode: 'hard-light', opacity: 0.5, imageId: ids.top },
  ];
  const doc: AtelierDocument = {
    type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: 'doc-groups', name: 'Groups', width: W, height: H, layers,
    generationFrame: { x: 0, y: 0, width: W, height: H }, historyEntryIds: [],
  };
  return { doc, images, pixels };
}

/** Largest per-channel difference over the document's pixels, and how many pixels differ at all. */
function compare(a: Uint8Array, b: Uint8Array): { max: number; differing: number } {
  let max = 0;
  let differing = 0;
  for (let p = 0; p < a.length; p += 4) {
    let d = 0;
    for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(a[p + c] - b[p + c]));
    max = Math.max(max, d);
    if (d > 0) differing++;
  }
  return { max, differing };
}

test('canvas and export show the same pixels for groups, masks and blend modes', async ({ page }) => {
  const { doc, images, pixels } = await groupedDocument();
  const expected = compositeDocument(doc, pixels);
  // What the renderer showed before it used the shared compositor: groups ignored (the hidden group's layer shown).
  const flat = compositeDocument({ ...doc, layers: doc.layers.filter((l) => l.kind === 'raster').map((l) => ({ ...l, parentId: undefined })) }, pixels);
  expect(compare(expected.data, flat.data).max).toBeGreaterThan(100);

  await openApp(page);
  await clickNew(page);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByLabel('Open a file').setInputFiles({ name: 'groups.atelier', mimeType: 'application/zip', buffer: Buffer.from(packDocument(doc, images)) });
  await expect(page.getByText('Opened "groups.atelier"')).toBeVisible();
  await expect(layerItems(page)).toHaveCount(doc.layers.length);
  await page.getByRole('button', { name: '100%' }).click();

  const canvas = page.getByRole('application', { name: 'Canvas' });
  const readCanvas = async (): Promise<Uint8Array> => {
    const panX = Number(await canvas.getAttribute('data-pan-x'));
    const panY = Number(await canvas.getAttribute('data-pan-y'));
    const values = await page.evaluate(({ x, y, w, h }) => {
      // The first Konva layer holds the checkerboard and the composite; overlays are on the second.
      // Browser globals through globalThis: this file is typechecked without the DOM lib.
      type Canvas2d = { getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } };
      const doc = (globalThis as unknown as { document: { querySelector(s: string): Canvas2d } }).document;
      return Array.from(doc.querySelector('.canvas-host .konvajs-content canvas').getContext('2d').getImageData(x, y, w, h).data);
    }, { x: panX, y: panY, w: W, h: H });
    return Uint8Array.from(values);
  };
  // The composite appears once the layer pictures are decoded: poll until the canvas shows it.
  await expect.poll(async () => compare(await readCanvas(), expected.data).max, { timeout: 45_000 }).toBeLessThanOrEqual(2);
  const shown = await readCanvas();
  const vsNode = compare(shown, expected.data);

  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByLabel('Format').selectOption('png');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export file' }).click();
  const png = readFileSync(await (await download).path());
  const exported = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  expect([exported.info.width, exported.info.height]).toEqual([W, H]);
  const vsExport = compare(shown, new Uint8Array(exported.data));
  console.log(`canvas vs export: max ${vsExport.max} level(s), ${vsExport.differing}/${W * H} pixels differ; canvas vs compositeDocument: max ${vsNode.max}, ${vsNode.differing} differ; groups-ignored renderer would differ by up to ${compare(shown, flat.data).max}`);
  // Off by at most the premultiplied-alpha rounding of the browser's decode (half-transparent source pixels only).
  expect(vsExport.max).toBeLessThanOrEqual(2);
  expect(vsExport.differing).toBeLessThan((W * H) / 20);
  expect(compare(shown, flat.data).max).toBeGreaterThan(100);

  await page.getByRole('button', { name: 'Zoom in' }).click();
  await shot(page, 'composite-groups');
});
