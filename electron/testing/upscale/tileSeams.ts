/**
 * How visible tile borders are, with the inpainting seam metric (inpaint/seamMetrics.ts) rather than a
 * new one: the cells between tile cut lines (the middle of each overlap, where a hard cut would be) are
 * painted as a checkerboard mask, so every cut line is a mask edge, and `seamScore` compares gradient
 * energy within 2 px of those lines with the energy 4–12 px away (1 ≈ no line of its own).
 */
import { createGray, type GrayImage, type RgbaImage } from '../../core/image/types.js';
import { seamScore, type SeamScore } from '../inpaint/seamMetrics.js';
import { axisTiles } from '../../core/engine/upscale/tilePlan.js';

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

/**
 * seamScore compares rings tile by tile (16 px tiles from the mask's padded corner): a cut line that falls
 * on a tile boundary has its two rings in different tiles and is not counted. Leaving the mask 22 px clear of
 * the image border puts that corner 8 px in, so cut lines at multiples of 16 (tile strides such as 96 do
 * that) sit in the middle of a metric tile. The image border is no seam anyway.
 */
const BORDER = 22;

export function tileBorderScore(image: RgbaImage, tile: number, overlap: number): SeamScore {
  const mask = tileCutMask(image.width, image.height, tile, overlap);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (x < BORDER || y < BORDER || x >= image.width - BORDER || y >= image.height - BORDER) mask.data[y * image.width + x] = 0;
    }
  }
  return seamScore(image, mask);
}
