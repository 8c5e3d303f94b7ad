/**
 * Regional prompts by blended noise predictions: every region prompt (and the base prompt) is a branch of
 * one batched UNet call per step, and each latent cell takes its noise prediction from the branches that
 * cover it, weighted by how much of the cell's 8×8 pixels each region covers. The base prompt fills
 * what no region covers; where regions overlap, their predictions are averaged. The whole picture goes
 * through the UNet every step, so the parts stay one coherent image (no seams to stitch).
 * Pure: pipeline.ts batches the prompts and calls combineBranches on the UNet's output.
 */
import type { Region } from '../../contract/generation.js';
import { EngineError } from './types.js';

/** One guided branch: batch indices of its negative and positive conditioning, and its per-cell weight. */
export interface RegionBranch {
  /** Index into the UNet batch of the negative (undefined without guidance). */
  uncond?: number;
  cond: number;
  /** [latentH × latentW], summing to 1 over all branches at every cell. */
  weight: Float32Array;
}

/** A region's rectangle clipped to the image; throws a one-sentence error when nothing is left. */
export function clipRegion(r: Region, index: number, width: number, height: number): { x0: number; y0: number; x1: number; y1: number } {
  const x0 = Math.max(0, r.x);
  const y0 = Math.max(0, r.y);
  const x1 = Math.min(width, r.x + r.width);
  const y1 = Math.min(height, r.y + r.height);
  if (x1 <= x0 || y1 <= y0) {
    throw new EngineError(`region ${index + 1} (${r.x},${r.y} ${r.width}×${r.height}) lies outside the ${width}×${height} image`);
  }
  return { x0, y0, x1, y1 };
}

/**
 * Per-cell weights of the base prompt and of each region on a latent grid of latentW × latentH cells
 * (8 px each), for regions given in the coordinates of a width × height image.
 */
export function regionWeights(regions: readonly Region[], width: number, height: number, latentW: number, latentH: number): { base: Float32Array; regions: Float32Array[] } {
  const plane = latentW * latentH;
  const cover = regions.map((r, i) => {
    const { x0, y0, x1, y1 } = clipRegion(r, i, width, height);
    const m = new Float32Array(plane);
    for (let ly = 0; ly < latentH; ly++) {
      const oy = Math.min(y1, ly * 8 + 8) - Math.max(y0, ly * 8);
      if (oy <= 0) continue;
      for (let lx = 0; lx < latentW; lx++) {
        const ox = Math.min(x1, lx * 8 + 8) - Math.max(x0, lx * 8);
        if (ox > 0) m[ly * latentW + lx] = (ox * oy) / 64;
      }
    }
    return m;
  });
  const base = new Float32Array(plane);
  for (let p = 0; p < plane; p++) {
    let sum = 0;
    for (const m of cover) sum += m[p]!;
    const b = Math.max(0, 1 - sum);
    base[p] = b;
    const total = sum + b;
    for (const m of cover) m[p] = m[p]! / total;
    base[p] = b / total;
  }
  return { base, regions: cover };
}

/**
 * The noise prediction for one image from a batched UNet output `pred` ([batch, 4, plane]):
 * Σ over branches of weight · (uncond + g · (cond − uncond)), or weight · cond without guidance.
 */
export function combineBranches(pred: Float32Array, branches: readonly RegionBranch[], guidance: number, plane: number): Float32Array {
  const n = 4 * plane;
  const eps = new Float32Array(n);
  for (const b of branches) {
    const c = b.cond * n;
    const u = b.uncond === undefined ? undefined : b.uncond * n;
    for (let ch = 0; ch < 4; ch++) {
      for (let p = 0; p < plane; p++) {
        const w = b.weight[p]!;
        if (w === 0) continue;
        const k = ch * plane + p;
        const value = u === undefined ? pred[c + k]! : pred[u + k]! + guidance * (pred[c + k]! - pred[u + k]!);
        eps[k] = eps[k]! + w * value;
      }
    }
  }
  return eps;
}
