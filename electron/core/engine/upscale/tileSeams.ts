/**
 * How visible tile borders are, with the inpainting seam metric (inpaint/seamMetrics.ts) rather than a
 * new one: the cells between tile cut lines (the middle of each overlap, where a hard cut would be) are
 * painted as a checkerboard mask, so every cut line is a mask edge, and `seamScore` compares gradient
 * energy within 2 px of those lines with the energy 4–12 px away (1 ≈ no line of its own).
 */
import { createGray, type GrayImage, type RgbaImage } from '../../image/types.js';
import { seamScore, type SeamScore } from '../inpaint/seamMetrics.js';
import { axisTiles } from './tilePlan.js';

/** Cut positions along one axis: the middle of each strip two neighbouring tiles share. */
function cuts(length: number, tile: number, overlap: number): number[] {
  const { size, starts } = axisTiles(length, Math.min(tile, length), overlap);
  return starts.slice(1).map((s, i) => Math.round((s + starts[i]! + size) / 2));
}

export function tileCutMask(width: number, height: number, tile: number, overlap: number): GrayImage {
  const cx = cuts(width, tile, overlap);
  const cy = cuts(height, tile, overlap);
  const mask = createGray(width, height);
  for (let y = 0; y < height; y++) {
    const row = cy.filter((c) => c <= y).length;
    for (let x = 0; x < width; x++) {
      const col = cx.filter((c) => c <= x).length;
      mask.data[y * width + x] = (row + col) % 2 ? 255 : 0;
    }
  }
  return mask;
}

export function tileBorderScore(image: RgbaImage, tile: number, overlap: number): SeamScore {
  return seamScore(image, tileCutMask(image.width, image.height, tile, overlap));
}
