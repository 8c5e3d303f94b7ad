/**
 * How visible an inpainting seam is, measured on the pasted result against the user's mask:
 * (a) ΔE2000 between the mean colours of a ring just inside and a ring just outside the mask edge,
 *     taken tile by tile so a gradient across the image does not average away a local mismatch;
 * (b) gradient energy along the seam relative to the surrounding area (1 ≈ no seam of its own).
 * Pure maths, no I/O.
 */
import type { GrayImage, RgbaImage } from '../../core/image/types.js';
import { deltaE2000 } from './deltaE2000.js';
import { rgbaToLab } from '../../core/engine/inpaint/lab.js';
import { maskBounds, padRect, signedDistances } from '../../core/engine/inpaint/region.js';

export interface SeamScore {
  /** Mean over tiles of ΔE2000(mean Lab of the inner ring, mean Lab of the outer ring). */
  ringDeltaE: number;
  /**
   * (Mean |∇Lab|² within `seamPx` of the edge + 1) ÷ (mean |∇Lab|² at `surroundPx` from it + 1), both
   * sides. The +1 (a gradient of 1 ΔE/px, below notice) keeps flat fields finite.
   */
  gradientRatio: number;
  /**
   * Mean over tiles of ΔE2000(mean Lab of the line — the 2 px either side of the edge —, mean Lab of the
   * pixels beside it, 3–6 px away on both sides): a thin grey or dark line shows here even where the two
   * sides match each other.
   */
  lineDeltaE: number;
}

export interface SeamMetricOptions {
  ringPx: number;
  tilePx: number;
  seamPx: number;
  surroundPx: readonly [number, number];
}

export const SEAM_METRIC_DEFAULTS: SeamMetricOptions = { ringPx: 4, tilePx: 16, seamPx: 2, surroundPx: [4, 12] };

export function seamScore(image: RgbaImage, mask: GrayImage, opts: SeamMetricOptions = SEAM_METRIC_DEFAULTS): SeamScore {
  const bounds = maskBounds(mask, 128);
  if (!bounds) return { ringDeltaE: 0, gradientRatio: 1, lineDeltaE: 0 };
  const r = padRect(bounds, opts.surroundPx[1] + 2, image.width, image.height);
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  const { inside, outside } = signedDistances(mask, r);
  const lab = rgbaToLab(image.data, image.width, r.x0, r.y0, w, h);

  // (a) ring ΔE per tile.
  const tx = Math.ceil(w / opts.tilePx);
  const ty = Math.ceil(h / opts.tilePx);
  const acc = new Float64Array(tx * ty * 8); // per tile: inner n, L, a, b, outer n, L, a, b
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const din = inside[p]!;
      const dout = outside[p]!;
      const side = din > 0 && din <= opts.ringPx ? 0 : dout > 0 && dout <= opts.ringPx ? 4 : -1;
      if (side < 0) continue;
      const t = (Math.floor(y / opts.tilePx) * tx + Math.floor(x / opts.tilePx)) * 8 + side;
      acc[t]!++;
      acc[t + 1]! += lab[p * 3]!;
      acc[t + 2]! += lab[p * 3 + 1]!;
      acc[t + 3]! += lab[p * 3 + 2]!;
    }
  }
  let sumDe = 0;
  let tiles = 0;
  const minCount = opts.ringPx * 2;
  for (let t = 0; t < tx * ty; t++) {
    const a = t * 8;
    const ni = acc[a]!;
    const no = acc[a + 4]!;
    if (ni < minCount || no < minCount) continue;
    sumDe += deltaE2000(acc[a + 1]! / ni, acc[a + 2]! / ni, acc[a + 3]! / ni, acc[a + 5]! / no, acc[a + 6]! / no, acc[a + 7]! / no);
    tiles++;
  }

  // (c) the line against what is beside it, per tile.
  const line = new Float64Array(tx * ty * 8); // per tile: line n, L, a, b, beside n, L, a, b
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const d = inside[p]! > 0 ? inside[p]! : outside[p]!;
      const side = d <= 1.5 ? 0 : d > 3 && d <= 6 ? 4 : -1;
      if (side < 0) continue;
      const t = (Math.floor(y / opts.tilePx) * tx + Math.floor(x / opts.tilePx)) * 8 + side;
      line[t]!++;
      for (let c = 0; c < 3; c++) line[t + 1 + c]! += lab[p * 3 + c]!;
    }
  }
  let sumLine = 0;
  let lineTiles = 0;
  for (let t = 0; t < tx * ty; t++) {
    const a = t * 8;
    const nl = line[a]!;
    const nb = line[a + 4]!;
    if (nl < minCount || nb < minCount) continue;
    sumLine += deltaE2000(line[a + 1]! / nl, line[a + 2]! / nl, line[a + 3]! / nl, line[a + 5]! / nb, line[a + 6]! / nb, line[a + 7]! / nb);
    lineTiles++;
  }

  // (b) gradient energy, central differences on all three Lab channels.
  let seamE = 0;
  let seamN = 0;
  let surE = 0;
  let surN = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const p = y * w + x;
      const d = inside[p]! > 0 ? inside[p]! : outside[p]!;
      const inSeam = d <= opts.seamPx;
      const inSur = d > opts.surroundPx[0] && d <= opts.surroundPx[1];
      if (!inSeam && !inSur) continue;
      let g = 0;
      for (let c = 0; c < 3; c++) {
        const gx = (lab[(p + 1) * 3 + c]! - lab[(p - 1) * 3 + c]!) / 2;
        const gy = (lab[(p + w) * 3 + c]! - lab[(p - w) * 3 + c]!) / 2;
        g += gx * gx + gy * gy;
      }
      if (inSeam) {
        seamE += g;
        seamN++;
      } else {
        surE += g;
        surN++;
      }
    }
  }
  const seamMean = seamN ? seamE / seamN : 0;
  const surMean = surN ? surE / surN : 0;
  return {
    ringDeltaE: tiles ? sumDe / tiles : 0,
    gradientRatio: (seamMean + 1) / (surMean + 1),
    lineDeltaE: lineTiles ? sumLine / lineTiles : 0,
  };
}
