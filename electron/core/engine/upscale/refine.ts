/**
 * "Upscale and enrich": a low-strength img2img pass of the current SD model over an upscaled image, tile
 * by tile at the model's own size. Tiles overlap and are blended with the same partition-of-unity ramps
 * as the upscaler (tilePlan.ts), here spanning the whole overlap, so no tile edge shows. Pure
 * orchestration: the caller supplies the img2img of one tile (Engine.generate in practice).
 */
import { SIZE_LIMITS, type Region } from '../../../contract/generation.js';
import type { RgbaImage } from '../../image/types.js';
import { EngineError } from '../types.js';
import { axisTiles, axisWeights } from './tilePlan.js';

export const REFINE_DEFAULTS = { strength: 0.3, overlapFraction: 0.25 } as const;

export interface RefineTiling {
  /** Tile side in pixels, a multiple of 8 (the model's native size). */
  tile: number;
  /** Pixels neighbouring tiles share. */
  overlap: number;
  /** false: hard cut in the middle of each overlap (only for measuring what blending buys). */
  blend?: boolean;
}

export interface RefineTile {
  index: number;
  x: number;
  y: number;
  image: RgbaImage;
}

/**
 * The regional prompts one refine tile gets: `regions` are in the coordinates of the image that was
 * upscaled (as the document's regions are relative to the layer); they are scaled with it by
 * (scaleX, scaleY), clipped to the tile and made tile-relative. A tile no region touches gets none.
 */
export function regionsForTile(regions: readonly Region[], scaleX: number, scaleY: number, tile: { x: number; y: number; width: number; height: number }): Region[] {
  const out: Region[] = [];
  for (const r of regions) {
    const x0 = Math.max(Math.round(r.x * scaleX), tile.x);
    const y0 = Math.max(Math.round(r.y * scaleY), tile.y);
    const x1 = Math.min(Math.round((r.x + r.width) * scaleX), tile.x + tile.width);
    const y1 = Math.min(Math.round((r.y + r.height) * scaleY), tile.y + tile.height);
    if (x1 <= x0 || y1 <= y0) continue;
    out.push({ ...r, x: x0 - tile.x, y: y0 - tile.y, width: x1 - x0, height: y1 - y0 });
  }
  return out;
}

/** One sentence when the image cannot be refined at this tiling. */
export function refineProblem(width: number, height: number, t: RefineTiling): string | undefined {
  if (t.tile % SIZE_LIMITS.multiple !== 0 || t.tile < SIZE_LIMITS.min || t.tile > SIZE_LIMITS.max) {
    return `the refine tile must be a multiple of ${SIZE_LIMITS.multiple} from ${SIZE_LIMITS.min} to ${SIZE_LIMITS.max} (got ${t.tile})`;
  }
  if (t.overlap < 0 || t.overlap * 2 >= t.tile) return `the refine overlap must be less than half the tile (got ${t.overlap} for ${t.tile})`;
  if (Math.min(width, height) < SIZE_LIMITS.min) return `the image is ${width}×${height}; refining needs at least ${SIZE_LIMITS.min} px on each side`;
  return undefined;
}

/** Tile sides actually used: the tile, or the image side rounded down to 8 when the image is smaller. */
function side(length: number, tile: number): number {
  return Math.min(tile, Math.floor(length / SIZE_LIMITS.multiple) * SIZE_LIMITS.multiple);
}

export function refineTileCount(width: number, height: number, t: RefineTiling): number {
  return axisTiles(width, side(width, t.tile), t.overlap).starts.length * axisTiles(height, side(height, t.tile), t.overlap).starts.length;
}

function crop(img: RgbaImage, x0: number, y0: number, w: number, h: number): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) data.set(img.data.subarray(((y0 + y) * img.width + x0) * 4, ((y0 + y) * img.width + x0 + w) * 4), y * w * 4);
  return { width: w, height: h, data };
}

/**
 * Refines `image` tile by tile; `generate` gets each crop and returns it repainted at the same size.
 * Alpha is kept from the input (the model sees the crop over grey where transparent).
 */
export async function refineTiled(
  image: RgbaImage,
  t: RefineTiling,
  generate: (tile: RefineTile) => Promise<RgbaImage>,
  signal?: AbortSignal,
): Promise<RgbaImage> {
  const problem = refineProblem(image.width, image.height, t);
  if (problem) throw new EngineError(problem);
  const xs = axisTiles(image.width, side(image.width, t.tile), t.overlap);
  const ys = axisTiles(image.height, side(image.height, t.tile), t.overlap);
  const ramp = t.blend === false ? 0 : 1;
  const acc = new Float32Array(image.width * image.height * 3);
  const xW = xs.starts.map((_, i) => axisWeights(xs, i, t.overlap, 1, ramp));
  let index = 0;
  for (let j = 0; j < ys.starts.length; j++) {
    const yW = axisWeights(ys, j, t.overlap, 1, ramp);
    const y0 = ys.starts[j]!;
    for (let i = 0; i < xs.starts.length; i++) {
      if (signal?.aborted) throw new EngineError('cancelled', 'cancelled');
      const x0 = xs.starts[i]!;
      const out = await generate({ index: index++, x: x0, y: y0, image: crop(image, x0, y0, xs.size, ys.size) });
      if (out.width !== xs.size || out.height !== ys.size) throw new EngineError(`refine tile came back ${out.width}×${out.height}, expected ${xs.size}×${ys.size}`, 'runtime');
      const wx = xW[i]!;
      for (let y = 0; y < ys.size; y++) {
        const wy = yW[y]!;
        if (wy === 0) continue;
        for (let x = 0; x < xs.size; x++) {
          const w = wx[x]! * wy;
          if (w === 0) continue;
          const p = (y * xs.size + x) * 4;
          const q = ((y0 + y) * image.width + x0 + x) * 3;
          acc[q]! += out.data[p]! * w;
          acc[q + 1]! += out.data[p + 1]! * w;
          acc[q + 2]! += out.data[p + 2]! * w;
        }
      }
    }
  }
  const data = new Uint8Array(image.data.length);
  for (let p = 0, n = image.width * image.height; p < n; p++) {
    for (let c = 0; c < 3; c++) data[p * 4 + c] = Math.min(255, Math.max(0, Math.round(acc[p * 3 + c]!)));
    data[p * 4 + 3] = image.data[p * 4 + 3]!;
  }
  return { width: image.width, height: image.height, data };
}
