import { fileURLToPath } from 'node:url';
import { readRgba } from '../../core/image/io.js';
import { createRgba, type GrayImage, type RgbaImage } from '../../shared/image/pixels.js';

/** The real photographs in shared/image/control/fixtures (see SOURCES.md), decoded by the product's own reader. */
export const photo = (name: 'camera-256.png' | 'handwriting.png') => readRgba(fileURLToPath(new URL(`../../shared/image/control/fixtures/${name}`, import.meta.url)));

/** Sets every pixel for which `inside(x, y)` holds. */
export function paint(image: RgbaImage, rgba: readonly [number, number, number, number], inside: (x: number, y: number) => boolean): RgbaImage {
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) if (inside(x, y)) image.data.set(rgba, (y * image.width + x) * 4);
  }
  return image;
}

export const transparent = (w: number, h: number) => createRgba(w, h, [0, 0, 0, 0]);

export function count(g: GrayImage, where: (x: number, y: number) => boolean = () => true): number {
  let n = 0;
  for (let y = 0; y < g.height; y++) for (let x = 0; x < g.width; x++) if (g.data[y * g.width + x]! > 0 && where(x, y)) n++;
  return n;
}
