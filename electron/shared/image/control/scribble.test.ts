import { describe, expect, it } from 'vitest';
import { createRgba, type GrayImage } from '../pixels.js';
import { maxFilter, thin } from './planes.js';
import { defaultLineWidth, scribbleLines } from './scribble.js';
import { count, paint, photo, transparent } from '../../../testing/control/controlImages.js';

/** White pixels in column x (the thickness of a horizontal line there). */
const columnCount = (g: GrayImage, x: number, y0: number, y1: number) => count(g, (px, py) => px === x && py >= y0 && py < y1);

describe('scribble lines', () => {
  it('turns a photographed handwritten page into lines of one width where the ink is', async () => {
    const page = await photo('handwriting.png'); // 448×172, shadows and smudges across the paper
    const lines = scribbleLines(page);
    expect(new Set(lines.data)).toEqual(new Set([0, 255]));
    const coverage = count(lines) / (448 * 172);
    expect(coverage).toBeGreaterThan(0.05);
    expect(coverage).toBeLessThan(0.25);
    // Under the lines the photo is much darker than elsewhere: they follow the ink, not the shadows.
    let under = 0, nUnder = 0, off = 0, nOff = 0;
    for (let p = 0; p < lines.data.length; p++) {
      if (lines.data[p]) (under += page.data[p * 4]!), nUnder++;
      else (off += page.data[p * 4]!), nOff++;
    }
    expect(off / nOff - under / nUnder).toBeGreaterThan(25);
    // One width: area over centre-line length ≈ the line width (3 px here).
    const centre = new Uint8Array(lines.data.map((v) => v >> 7));
    thin(centre, 448, 172);
    const width = count(lines) / centre.reduce((a, b) => a + b, 0);
    expect(defaultLineWidth(448, 172)).toBe(3);
    expect(width).toBeGreaterThan(2);
    expect(width).toBeLessThan(5);
  });

  it('draws a pencil line and a marker stroke at the same width, along their middles', () => {
    const sketch = transparent(128, 128);
    paint(sketch, [20, 20, 20, 255], (_x, y) => y >= 30 && y < 32); // 2 px pencil
    paint(sketch, [20, 20, 20, 255], (_x, y) => y >= 80 && y < 94); // 14 px marker
    const lines = scribbleLines(sketch, { lineWidth: 6 });
    for (const x of [20, 64, 100]) {
      expect(columnCount(lines, x, 0, 60)).toBeGreaterThanOrEqual(5);
      expect(columnCount(lines, x, 0, 60)).toBeLessThanOrEqual(7);
      expect(columnCount(lines, x, 60, 128)).toBe(columnCount(lines, x, 0, 60));
      // centred on the marker's middle row (86.5)
      expect(count(lines, (px, py) => px === x && py >= 60 && Math.abs(py - 86.5) > 4)).toBe(0);
    }
  });

  it('on a transparent layer every painted pixel is ink, whatever its colour; on paper the same sketch gives nearly the same lines', () => {
    const stroke = (x: number, y: number) => Math.abs(y - 0.5 * x - 20) < 2 || (x - 80) ** 2 + (y - 40) ** 2 < 150 && (x - 80) ** 2 + (y - 40) ** 2 > 90;
    const black = scribbleLines(paint(transparent(128, 96), [0, 0, 0, 255], stroke));
    const yellow = scribbleLines(paint(transparent(128, 96), [250, 230, 40, 255], stroke));
    const onPaper = scribbleLines(paint(createRgba(128, 96, [245, 242, 235, 255]), [30, 30, 30, 255], stroke));
    expect(count(black)).toBeGreaterThan(200);
    expect(yellow.data).toEqual(black.data);
    // On paper the ink is found through a light blur, so the centre line may move by a pixel here and there.
    let both = 0, either = 0;
    for (let p = 0; p < black.data.length; p++) {
      if (black.data[p] && onPaper.data[p]) both++;
      if (black.data[p] || onPaper.data[p]) either++;
    }
    expect(both / either).toBeGreaterThan(0.8);
  });

  it('follows a stroke across paper in shadow and drops dust', () => {
    // Paper from 250 on the left to 110 on the right (a page half in shadow); the stroke is 45% darker than
    // the paper under it, so on the right it is brighter than the paper on the left.
    const w = 160, h = 80;
    const page = createRgba(w, h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const paper = 250 - (140 * x) / (w - 1);
        const v = Math.abs(y - 40) < 2 ? paper * 0.55 : paper;
        page.data.set([v, v, v, 255], (y * w + x) * 4);
      }
    }
    for (const [x, y] of [[20, 10], [90, 65], [140, 15]] as const) page.data.set([0, 0, 0, 255], (y * w + x) * 4); // dust
    const lines = scribbleLines(page, { lineWidth: 4 });
    expect(count(lines, (_x, y) => Math.abs(y - 40) > 3)).toBe(0);
    for (let x = 4; x < w - 4; x += 8) expect(columnCount(lines, x, 0, h)).toBeGreaterThanOrEqual(3);
    expect(count(scribbleLines(createRgba(64, 64, [200, 200, 200, 255])))).toBe(0);
  });

  it('refuses options that cannot work, in one sentence', () => {
    const img = transparent(8, 8);
    expect(() => scribbleLines(img, { inkContrast: 1.5 })).toThrow(/ink contrast must be between 0 and 1 \(got 1.5\)/);
    expect(() => scribbleLines(img, { lineWidth: 0 })).toThrow(/line width must be 1 to 256 pixels/);
  });
});

describe('plane primitives', () => {
  it('maxFilter equals the brute-force maximum over the square', () => {
    const w = 37, h = 23, r = 4;
    const src = Float32Array.from({ length: w * h }, (_, i) => (i * 7919) % 101);
    const fast = maxFilter(src, w, h, r);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let m = -Infinity;
        for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
          const nx = x + dx, ny = y + dy;
          if (nx >= 0 && ny >= 0 && nx < w && ny < h) m = Math.max(m, src[ny * w + nx]!);
        }
        expect(fast[y * w + x]).toBe(m);
      }
    }
  });
});
