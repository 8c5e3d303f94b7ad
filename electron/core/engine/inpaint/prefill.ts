/**
 * Pre-fill for removal-style inpainting: before denoising, replace the masked pixels with texture
 * copied from around them, so the model starts from "background" instead of the object being
 * removed (which otherwise leaks back through the init latents). An onion-peel exemplar fill in the
 * spirit of Criminisi et al. (2004) with PatchMatch-style candidates (Barnes et al. 2009): hole
 * pixels are filled from the edge inwards, each copied from the known pixel whose surrounding patch
 * best matches what is already there; neighbours' source offsets are tried first, which keeps
 * copied texture coherent. Only the detail is copied: the colour underneath comes from a smooth
 * push-pull interpolation of the surroundings, so gradients and shading continue across the hole
 * instead of arriving as pasted pieces. Deterministic for a seed. Pure maths, no I/O.
 */
import type { GrayImage, RgbaImage } from '../../image/types.js';
import { createRng } from '../rng.js';
import { planes } from './pyramid.js';
import { coarsePushPullFill } from './pyramidBlend.js';
import { maskBounds, MASK_ON, padRect, signedDistances } from './region.js';

export type PrefillMode = 'none' | 'patch';

export interface PatchFillOptions {
  /** Patch half-size: 2 compares 5×5 patches. */
  patchRadius: number;
  /** How far from a hole pixel (px) random source candidates are drawn. */
  searchRadius: number;
  /** Random source candidates per pixel, on top of the neighbours' offsets. */
  randomCandidates: number;
  seed: number;
}

export const DEFAULT_PATCH_FILL: PatchFillOptions = { patchRadius: 2, searchRadius: 48, randomCandidates: 8, seed: 1 };

/** Block size of the smooth base: detail finer than this is copied, coarser is interpolated. */
const BASE_BLOCK = 8;

const NEIGHBOURS = [-1, 0, 1, 0, 0, -1, 0, 1, -1, -1, 1, -1, -1, 1, 1, 1] as const;

/** The image with its masked pixels (value ≥ 128) filled from their surroundings; other pixels unchanged. */
export function prefillPatch(image: RgbaImage, mask: GrayImage, options: PatchFillOptions = DEFAULT_PATCH_FILL): RgbaImage {
  const { width, height } = image;
  if (mask.width !== width || mask.height !== height) {
    throw new Error(`pre-fill: mask is ${mask.width}×${mask.height}, image is ${width}×${height}`);
  }
  const out = new Uint8Array(image.data);
  const bounds = maskBounds(mask, MASK_ON);
  if (!bounds) return { width, height, data: out };
  const { patchRadius: pr, searchRadius: sr } = options;
  const r = padRect(bounds, sr + pr, width, height);
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  const n = w * h;
  // state: 0 hole (unfilled), 1 known original, 2 filled.
  const state = new Uint8Array(n);
  const px = new Float32Array(n * 3);
  let knownCount = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const i = ((r.y0 + y) * width + r.x0 + x) * 4;
      const hole = mask.data[(r.y0 + y) * width + r.x0 + x]! >= MASK_ON;
      state[p] = hole ? 0 : 1;
      if (!hole) knownCount++;
      px[p * 3] = image.data[i]!;
      px[p * 3 + 1] = image.data[i + 1]!;
      px[p * 3 + 2] = image.data[i + 2]!;
    }
  }
  if (knownCount === 0) return { width, height, data: out }; // nothing to copy from

  // Split into a smooth base (interpolated into the hole) and detail (copied by patches below).
  const rgb = planes(w, h, 3);
  const known = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    known[p] = state[p] === 1 ? 1 : 0;
    for (let c = 0; c < 3; c++) rgb.data[c * n + p] = px[p * 3 + c]!;
  }
  const base = coarsePushPullFill(rgb, known, BASE_BLOCK);
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) px[p * 3 + c] = state[p] === 1 ? px[p * 3 + c]! - base.data[c * n + p]! : 0;

  // Onion peel: order hole pixels by distance to the known region.
  const { inside } = signedDistances(mask, r);
  const order: number[] = [];
  for (let p = 0; p < n; p++) if (state[p] === 0) order.push(p);
  order.sort((a, b) => inside[a]! - inside[b]! || a - b);

  const offX = new Int32Array(n);
  const offY = new Int32Array(n);
  const rng = createRng(options.seed >>> 0);
  const rnd = (): number => rng.nextFloat();
  const cand: number[] = [];

  const cost = (p: number, s: number, best: number): number => {
    const x = p % w;
    const y = (p - x) / w;
    const sx = s % w;
    const sy = (s - sx) / w;
    let sum = 0;
    let count = 0;
    for (let dy = -pr; dy <= pr; dy++) {
      const yy = y + dy;
      const syy = sy + dy;
      if (yy < 0 || yy >= h || syy < 0 || syy >= h) continue;
      for (let dx = -pr; dx <= pr; dx++) {
        const xx = x + dx;
        const sxx = sx + dx;
        if (xx < 0 || xx >= w || sxx < 0 || sxx >= w) continue;
        const q = yy * w + xx;
        const sq = syy * w + sxx;
        if (state[q] === 0 || state[sq] !== 1) continue;
        const d0 = px[q * 3]! - px[sq * 3]!;
        const d1 = px[q * 3 + 1]! - px[sq * 3 + 1]!;
        const d2 = px[q * 3 + 2]! - px[sq * 3 + 2]!;
        sum += d0 * d0 + d1 * d1 + d2 * d2;
        count++;
      }
      if (count > 0 && sum / count > best * 4) break; // hopeless already
    }
    return count >= 3 ? sum / count : Infinity;
  };

  for (const p of order) {
    const x = p % w;
    const y = (p - x) / w;
    cand.length = 0;
    for (let k = 0; k < NEIGHBOURS.length; k += 2) {
      const nx = x + NEIGHBOURS[k]!;
      const ny = y + NEIGHBOURS[k + 1]!;
      if (nx < 0 || nx >= w || ny < 0 || ny >= h) continue;
      const q = ny * w + nx;
      if (state[q] !== 2) continue;
      const sx = x + offX[q]!;
      const sy = y + offY[q]!;
      const s = sy * w + sx;
      // Neighbours often share a source offset: score each candidate once.
      if (sx >= 0 && sx < w && sy >= 0 && sy < h && state[s] === 1 && !cand.includes(s)) cand.push(s);
    }
    // Random search around a neighbour's source (PatchMatch), or around the pixel itself at the rim;
    // deep in a big hole a window around the pixel would hold no known pixels at all.
    const centre = cand.length > 0 ? cand[Math.floor(rnd() * cand.length)]! : p;
    const cx = centre % w;
    const cy = (centre - cx) / w;
    const reach = cand.length > 0 ? sr : sr + Math.ceil(inside[p]!);
    for (let k = 0, tries = 0; k < options.randomCandidates && tries < options.randomCandidates * 4; tries++) {
      const sx = cx + Math.round((rnd() * 2 - 1) * reach);
      const sy = cy + Math.round((rnd() * 2 - 1) * reach);
      if (sx < 0 || sx >= w || sy < 0 || sy >= h || state[sy * w + sx] !== 1) continue;
      cand.push(sy * w + sx);
      k++;
    }
    let best = Infinity;
    let bestS = -1;
    for (const s of cand) {
      const c = cost(p, s, best);
      if (c < best) {
        best = c;
        bestS = s;
      }
    }
    if (bestS < 0) bestS = nearestKnown(p, w, h, state);
    const sx = bestS % w;
    offX[p] = sx - x;
    offY[p] = (bestS - sx) / w - y;
    px[p * 3] = px[bestS * 3]!;
    px[p * 3 + 1] = px[bestS * 3 + 1]!;
    px[p * 3 + 2] = px[bestS * 3 + 2]!;
    state[p] = 2;
  }

  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (state[p] !== 2) continue;
      const i = ((r.y0 + y) * width + r.x0 + x) * 4;
      for (let c = 0; c < 3; c++) {
        const v = base.data[c * n + p]! + px[p * 3 + c]!;
        out[i + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
      }
      out[i + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/** Fallback source when no candidate had enough overlap: the closest known pixel on a growing square. */
function nearestKnown(p: number, w: number, h: number, state: Uint8Array): number {
  const x = p % w;
  const y = (p - x) / w;
  for (let rad = 1; rad < Math.max(w, h); rad++) {
    for (let dy = -rad; dy <= rad; dy++) {
      for (let dx = -rad; dx <= rad; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== rad) continue;
        const xx = x + dx;
        const yy = y + dy;
        if (xx >= 0 && xx < w && yy >= 0 && yy < h && state[yy * w + xx] === 1) return yy * w + xx;
      }
    }
  }
  return p;
}
