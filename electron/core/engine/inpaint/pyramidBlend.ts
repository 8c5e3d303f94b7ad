/**
 * Multi-band blending on Laplacian pyramids, arranged so that every band's transition lies INSIDE the
 * user's mask (pixels outside it must stay byte-identical), plus a push-pull fill used to carry the
 * low-frequency mismatch measured outside the mask into it. Pure maths, no I/O.
 */
import { expand, expandToBase, gaussianPyramid, planes, reduce, type Planes } from './pyramid.js';

/**
 * Σ_k w_k ⊙ band_k(diff), where band_k are the Laplacian bands of `diff` expanded to full size and
 * the last weight applies to the low-pass residual. With every w_k = 1 this returns `diff` itself;
 * with w_k = 0 at a pixel it returns 0 there (so an unmasked pixel gets nothing added).
 * Telescoped as w_0·U_0 + Σ_{k≥1} (w_k − w_{k−1})·U_k with U_k = expand^k(G_k), so no band is stored.
 */
export function weightedBands(diff: Planes, bandWeights: readonly Float32Array[]): Planes {
  const levels = bandWeights.length - 1;
  const pyr = gaussianPyramid(diff, levels, 2);
  const n = diff.w * diff.h;
  const out = planes(diff.w, diff.h, diff.c);
  const o = out.data;
  const src = diff.data;
  const w0 = bandWeights[0]!;
  for (let c = 0; c < diff.c; c++) {
    const base = c * n;
    for (let p = 0; p < n; p++) o[base + p] = w0[p]! * src[base + p]!;
  }
  // A short pyramid (small region) folds the missing coarse bands into its last level.
  for (let k = 1; k < pyr.length; k++) {
    const u = expandToBase(pyr, k).data;
    const wk = bandWeights[k === pyr.length - 1 ? levels : Math.min(k, levels)]!;
    const wPrev = bandWeights[k - 1]!;
    for (let p = 0; p < n; p++) {
      const dw = wk[p]! - wPrev[p]!;
      if (dw === 0) continue;
      for (let c = 0; c < diff.c; c++) o[c * n + p] = o[c * n + p]! + dw * u[c * n + p]!;
    }
  }
  return out;
}

/**
 * Push-pull (Gortler et al. 1996) scattered-data fill: a smooth field that follows `values` where
 * `weights` > 0 and is interpolated from them elsewhere, band-limited to scale 2^fromLevel px.
 * Returns zeros when no weight is given.
 */
export function pushPullFill(values: Planes, weights: Float32Array, fromLevel: number): Planes {
  const { w, h, c } = values;
  const n = w * h;
  const vw = planes(w, h, c + 1);
  for (let ch = 0; ch < c; ch++) {
    for (let p = 0; p < n; p++) vw.data[ch * n + p] = values.data[ch * n + p]! * weights[p]!;
  }
  vw.data.set(weights, c * n);
  // Premultiplied values and weights ride in one pyramid (weights as the last plane).
  const pyr: Planes[] = [vw];
  while (Math.min(pyr[pyr.length - 1]!.w, pyr[pyr.length - 1]!.h) >= 2) pyr.push(reduce(pyr[pyr.length - 1]!));
  const top = pyr[pyr.length - 1]!;
  const topN = top.w * top.h;
  let sumW = 0;
  const sumV = new Array<number>(c).fill(0);
  for (let p = 0; p < topN; p++) {
    sumW += top.data[c * topN + p]!;
    for (let ch = 0; ch < c; ch++) sumV[ch]! += top.data[ch * topN + p]!;
  }
  let est = planes(top.w, top.h, c);
  if (sumW <= 1e-12) return planes(w, h, c);
  for (let p = 0; p < topN; p++) {
    const wt = top.data[c * topN + p]!;
    for (let ch = 0; ch < c; ch++) est.data[ch * topN + p] = wt > 1e-6 ? top.data[ch * topN + p]! / wt : sumV[ch]! / sumW;
  }
  // Pull: at each finer level trust the level's own average where it has enough weight.
  const TRUST = 0.25;
  const first = Math.min(fromLevel, pyr.length - 1);
  for (let k = pyr.length - 2; k >= first; k--) {
    const lvl = pyr[k]!;
    const ln = lvl.w * lvl.h;
    const up = expand(est, lvl.w, lvl.h);
    for (let p = 0; p < ln; p++) {
      const wt = lvl.data[c * ln + p]!;
      if (wt <= 0) continue;
      const a = Math.min(1, wt / TRUST);
      for (let ch = 0; ch < c; ch++) {
        const i = ch * ln + p;
        up.data[i] = a * (lvl.data[i]! / wt) + (1 - a) * up.data[i]!;
      }
    }
    est = up;
  }
  for (let k = first - 1; k >= 0; k--) est = expand(est, pyr[k]!.w, pyr[k]!.h);
  return est;
}

/**
 * `pushPullFill` on a grid of block×block averages, upsampled bilinearly: the same smooth field at a
 * fraction of the cost, since only its low frequencies are wanted. Blocks whose mean vector is longer
 * than `maxNorm` are ignored.
 */
export function coarsePushPullFill(values: Planes, weights: Float32Array, block: number, maxNorm = Infinity): Planes {
  const { w, h, c } = values;
  const cw = Math.ceil(w / block);
  const ch = Math.ceil(h / block);
  const cn = cw * ch;
  const sumW = new Float32Array(cn);
  const sumV = planes(cw, ch, c);
  const n = w * h;
  for (let y = 0; y < h; y++) {
    const crow = Math.floor(y / block) * cw;
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const wt = weights[p]!;
      if (wt === 0) continue;
      const q = crow + Math.floor(x / block);
      sumW[q]! += wt;
      for (let k = 0; k < c; k++) sumV.data[k * cn + q]! += wt * values.data[k * n + p]!;
    }
  }
  // Back to plain averages with a weight per block, as pushPullFill expects.
  const area = block * block;
  const means = planes(cw, ch, c);
  const blockW = new Float32Array(cn);
  for (let q = 0; q < cn; q++) {
    if (sumW[q]! === 0) continue;
    let norm2 = 0;
    for (let k = 0; k < c; k++) {
      const m = sumV.data[k * cn + q]! / sumW[q]!;
      means.data[k * cn + q] = m;
      norm2 += m * m;
    }
    // A block whose mean is too far off is not measuring the same content: give it no say.
    blockW[q] = Math.sqrt(norm2) <= maxNorm ? sumW[q]! / area : 0;
  }
  const coarse = pushPullFill(means, blockW, 0);
  const out = planes(w, h, c);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(ch - 1, Math.max(0, (y + 0.5) / block - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(ch - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(cw - 1, Math.max(0, (x + 0.5) / block - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(cw - 1, x0 + 1);
      const tx = fx - x0;
      for (let k = 0; k < c; k++) {
        const d = coarse.data;
        const o = k * cn;
        const top = d[o + y0 * cw + x0]! + (d[o + y0 * cw + x1]! - d[o + y0 * cw + x0]!) * tx;
        const bot = d[o + y1 * cw + x0]! + (d[o + y1 * cw + x1]! - d[o + y1 * cw + x0]!) * tx;
        out.data[k * n + y * w + x] = top + (bot - top) * ty;
      }
    }
  }
  return out;
}
