import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCUMENT_TYPE, DOCUMENT_VERSION, type AtelierDocument, type BlendMode, type Layer } from '../../contract/document.js';
import { createGray, createRgba, type GrayImage, type RgbaImage } from '../image/types.js';
import { applyMaskToAlpha, compositeDocument } from '../../shared/image/composite.js';
import { buildSampleDocument, gradientImage, pngOf } from './fixtures/sampleDocument.js';
import { IMAGEMAGICK_CONVERT, reportMissing } from './readerTools.testutil.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-composite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ID = (n: number) => n.toString(16).padStart(64, '0');

function doc(width: number, height: number, layers: Layer[]): AtelierDocument {
  return {
    type: DOCUMENT_TYPE, version: DOCUMENT_VERSION, id: 'd', name: 'd', width, height, layers,
    generationFrame: { x: 0, y: 0, width: 64, height: 64 }, historyEntryIds: [],
  };
}

function raster(n: number, image: RgbaImage, over: Partial<Layer> = {}): Layer {
  return {
    id: `l${n}`, kind: 'raster', name: `L${n}`, x: 0, y: 0, width: image.width, height: image.height,
    opacity: 1, visible: true, blendMode: 'normal', imageId: ID(n), ...over,
  } as Layer;
}

const px = (img: RgbaImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

describe('compositeDocument', () => {
  it('normal, opacity, multiply, screen on an opaque backdrop', () => {
    const white = createRgba(4, 1, [200, 100, 50, 255]);
    const cases: [BlendMode, number, number[]][] = [
      ['normal', 1, [10, 20, 30, 255]],
      ['normal', 0.5, [105, 60, 40, 255]],
      ['multiply', 1, [8, 8, 6, 255]],
      ['screen', 1, [202, 112, 74, 255]],
    ];
    for (const [mode, opacity, want] of cases) {
      const top = createRgba(4, 1, [10, 20, 30, 255]);
      const pixels = new Map([[ID(1), white], [ID(2), top]]);
      const out = compositeDocument(doc(4, 1, [raster(1, white), raster(2, top, { blendMode: mode, opacity })]), pixels);
      expect(px(out, 0, 0), mode).toEqual(want);
    }
  });

  it('on a transparent backdrop a blend mode shows the source as is (W3C), alpha composes', () => {
    const top = createRgba(1, 1, [100, 150, 200, 128]);
    const out = compositeDocument(doc(1, 1, [raster(1, top, { blendMode: 'multiply' })]), new Map([[ID(1), top]]));
    expect(px(out, 0, 0)).toEqual([100, 150, 200, 128]);
    const twice = compositeDocument(doc(1, 1, [raster(1, top), raster(2, top, { imageId: ID(1) })]), new Map([[ID(1), top]]));
    expect(twice.data[3]).toBe(192); // 0.502 + 0.502·0.498 = 0.752
  });

  it('places layers at negative and off-canvas positions, skips hidden ones, honours masks', () => {
    const bg = createRgba(8, 8, [0, 0, 0, 255]);
    const red = createRgba(4, 4, [255, 0, 0, 255]);
    const blue = createRgba(3, 3, [0, 0, 255, 255]);
    const mask: GrayImage = createGray(2, 1, 0);
    mask.data.set([255, 128]);
    const pixels = new Map<string, RgbaImage | GrayImage>([[ID(1), bg], [ID(2), red], [ID(3), blue], [ID(4), mask]]);
    const out = compositeDocument(
      doc(8, 8, [
        raster(1, bg),
        raster(2, red, { x: -2, y: -3 }),
        raster(3, blue, { x: 6, y: 6, visible: false }),
        raster(5, red, { x: 5, y: 5, imageId: ID(2), mask: { imageId: ID(4), x: 6, y: 6, width: 2, height: 1 } }),
      ]),
      pixels,
    );
    expect(px(out, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(px(out, 1, 0)).toEqual([255, 0, 0, 255]);
    expect(px(out, 2, 0)).toEqual([0, 0, 0, 255]);
    expect(px(out, 0, 1)).toEqual([0, 0, 0, 255]);
    expect(px(out, 7, 7)).toEqual([0, 0, 0, 255]); // hidden blue; masked red outside the mask rect
    expect(px(out, 5, 5)).toEqual([0, 0, 0, 255]); // outside the mask rectangle: hidden
    expect(px(out, 6, 6)).toEqual([255, 0, 0, 255]);
    expect(px(out, 7, 6)).toEqual([128, 0, 0, 255]);
  });

  it('groups are isolated: group opacity applies to the flattened children', () => {
    const bg = createRgba(1, 1, [255, 255, 255, 255]);
    const black = createRgba(1, 1, [0, 0, 0, 255]);
    const pixels = new Map([[ID(1), bg], [ID(2), black]]);
    const layers: Layer[] = [
      raster(1, bg),
      { id: 'g', kind: 'group', name: 'G', opacity: 0.5, visible: true, blendMode: 'normal' },
      raster(2, black, { parentId: 'g' }),
      raster(3, black, { imageId: ID(2), parentId: 'g' }),
    ];
    // Two black layers inside a 50% group: 50% grey, not 75% black.
    expect(px(compositeDocument(doc(1, 1, layers), pixels), 0, 0)).toEqual([128, 128, 128, 255]);
    const hidden = layers.map((l) => (l.id === 'g' ? { ...l, visible: false } : l));
    expect(px(compositeDocument(doc(1, 1, hidden), pixels), 0, 0)).toEqual([255, 255, 255, 255]);
  });

  it('renders a region (frame-only export) in document coordinates', () => {
    const img = gradientImage(10, 10);
    const out = compositeDocument(doc(10, 10, [raster(1, img)]), new Map([[ID(1), img]]), { region: { x: 3, y: 4, width: 5, height: 2 } });
    expect(out.width).toBe(5);
    expect(px(out, 0, 0)).toEqual(px(img, 3, 4));
    expect(px(out, 4, 1)).toEqual(px(img, 7, 5));
  });

  it('says which layer is missing pixels or has the wrong size', () => {
    const img = createRgba(2, 2);
    expect(() => compositeDocument(doc(2, 2, [raster(1, img)]), new Map())).toThrow(/layer "L1": its image .* is missing/);
    expect(() => compositeDocument(doc(2, 2, [raster(1, img, { width: 3 })]), new Map([[ID(1), img]]))).toThrow(/2x2 but the layer is 3x2/);
  });

  it('matches ImageMagick for the separable blend modes on opaque images', async ({ skip }) => {
    if (reportMissing('imagemagick', 'imagemagick')) skip();
    const w = 64, h = 64;
    const back = gradientImage(w, h, 0);
    const front = createRgba(w, h);
    for (let i = 0; i < front.data.length; i += 4) {
      const p = i / 4;
      front.data.set([(p * 37) & 255, (p * 11 + 90) & 255, 255 - ((p * 5) & 255), 255], i);
    }
    writeFileSync(join(dir, 'b.png'), await pngOf(back));
    writeFileSync(join(dir, 'f.png'), await pngOf(front));
    const modes: [BlendMode, string][] = [
      ['normal', 'Over'], ['multiply', 'Multiply'], ['screen', 'Screen'], ['darken', 'Darken'], ['lighten', 'Lighten'],
      ['difference', 'Difference'], ['exclusion', 'Exclusion'], ['overlay', 'Overlay'], ['hard-light', 'HardLight'],
    ];
    const pixels = new Map([[ID(1), back], [ID(2), front]]);
    for (const [mode, im] of modes) {
      const outPath = join(dir, `${mode}.png`);
      execFileSync(IMAGEMAGICK_CONVERT, [join(dir, 'b.png'), join(dir, 'f.png'), '-compose', im, '-composite', outPath]);
      const want = await sharp(outPath).ensureAlpha().raw().toBuffer();
      const got = compositeDocument(doc(w, h, [raster(1, back), raster(2, front, { blendMode: mode })]), pixels);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got.data[i]));
      expect(worst, mode).toBeLessThanOrEqual(1);
    }
  });

  it('the sample document composites without error and the masked inpaint shows only where painted', async () => {
    const s = await buildSampleDocument();
    const out = compositeDocument(s.document, s.pixels);
    expect(px(out, 22, 12)).toEqual([20, 180, 60, 255]); // mask 255 region of the inpaint layer
    expect(px(out, 42, 12)).not.toEqual([20, 180, 60, 255]); // mask 0 region
  });
});

describe('applyMaskToAlpha', () => {
  it('multiplies the mask into alpha, hides outside the mask rectangle', () => {
    const img = createRgba(3, 1, [9, 9, 9, 200]);
    const mask = createGray(2, 1);
    mask.data.set([255, 51]);
    const layer = raster(1, img, { x: 10, y: 0, mask: { imageId: ID(2), x: 11, y: 0, width: 2, height: 1 } });
    const out = applyMaskToAlpha(layer as never, new Map<string, RgbaImage | GrayImage>([[ID(1), img], [ID(2), mask]]));
    expect([out.data[3], out.data[7], out.data[11]]).toEqual([0, 200, 40]);
    expect(img.data[3]).toBe(200); // input untouched
  });
});
