import type { GrayImage, RgbaImage } from '../pixels.js';
import { gaussianBlur, hysteresis } from './planes.js';

/**
 * Canny edges (Canny 1986) as the canny ControlNets were trained on: the ControlNet annotator calls OpenCV's
 * `cv2.Canny(rgb, low, high)`, so the gradient follows OpenCV's defaults — 3×3 Sobel on 0..255 values,
 * L1 magnitude |gx| + |gy|, per colour channel with the strongest channel winning — and the thresholds mean
 * what they mean there (the annotator's defaults are 100/200). A Gaussian blur first (σ, 0 = none) keeps
 * film grain and paper texture from becoming edges. Transparent pixels count as black, and where the image
 * has transparency its alpha is a channel too, so a cut-out's outline is an edge whatever its colour.
 */
export interface CannyOptions {
  /** Weak-edge threshold: a pixel above it is an edge only when connected to a strong one. */
  low: number;
  /** Strong-edge threshold. */
  high: number;
  /** Gaussian blur before the gradient, in pixels. */
  sigma: number;
}

export const CANNY_DEFAULTS: CannyOptions = { low: 100, high: 200, sigma: 1 };

/** 255 on edges, 0 elsewhere, the size of `image`. */
export function cannyEdges(image: RgbaImage, options: Partial<CannyOptions> = {}): GrayImage {
  const { low, high, sigma } = { ...CANNY_DEFAULTS, ...options };
  if (!(low >= 0) || !(high >= low)) throw new RangeError(`canny thresholds must satisfy 0 ≤ low ≤ high (got ${low}, ${high})`);
  const { width: w, height: h } = image;
  const channels = colourPlanes(image).map((p) => gaussianBlur(p, w, h, sigma));
  const { magnitude, gx, gy } = strongestGradient(channels, w, h);
  const thin = suppressNonMaxima(magnitude, gx, gy, w, h);
  return { width: w, height: h, data: hysteresis(thin, w, h, low, high) };
}

/** R, G, B over black (and alpha when any pixel is not opaque) as float planes. */
function colourPlanes(image: RgbaImage): Float32Array[] {
  const n = image.width * image.height;
  const d = image.data;
  let opaque = true;
  for (let p = 0; p < n && opaque; p++) opaque = d[p * 4 + 3] === 255;
  const planes = Array.from({ length: opaque ? 3 : 4 }, () => new Float32Array(n));
  for (let p = 0; p < n; p++) {
    const a = d[p * 4 + 3]! / 255;
    for (let c = 0; c < 3; c++) planes[c]![p] = d[p * 4 + c]! * a;
    if (!opaque) planes[3]![p] = d[p * 4 + 3]!;
  }
  return planes;
}

/** Sobel 3×3 per plane (edges replicated); each pixel keeps the plane with the largest L1 magnitude. */
function strongestGradient(planes: Float32Array[], w: number, h: number): { magnitude: Float32Array; gx: Float32Array; gy: Float32Array } {
  const n = w * h;
  const magnitude = new Float32Array(n);
  const gx = new Float32Array(n);
  const gy = new Float32Array(n);
  for (const s of planes) {
    for (let y = 0; y < h; y++) {
      const up = Math.max(0, y - 1) * w;
      const row = y * w;
      const down = Math.min(h - 1, y + 1) * w;
      for (let x = 0; x < w; x++) {
        const l = Math.max(0, x - 1);
        const r = Math.min(w - 1, x + 1);
        const dx = s[up + r]! + 2 * s[row + r]! + s[down + r]! - s[up + l]! - 2 * s[row + l]! - s[down + l]!;
        const dy = s[down + l]! + 2 * s[down + x]! + s[down + r]! - s[up + l]! - 2 * s[up + x]! - s[up + r]!;
        const m = Math.abs(dx) + Math.abs(dy);
        if (m > magnitude[row + x]!) {
          magnitude[row + x] = m;
          gx[row + x] = dx;
          gy[row + x] = dy;
        }
      }
    }
  }
  return { magnitude, gx, gy };
}

const TAN_22_5 = Math.tan(Math.PI / 8);
const TAN_67_5 = Math.tan((3 * Math.PI) / 8);

/** Keeps a pixel only where its magnitude is a maximum across the edge (gradient direction in 4 bins). */
function suppressNonMaxima(m: Float32Array, gx: Float32Array, gy: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : m[y * w + x]!);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const v = m[p]!;
      if (v === 0) continue;
      const ax = Math.abs(gx[p]!);
      const ay = Math.abs(gy[p]!);
      let a: number;
      let b: number;
      if (ay <= ax * TAN_22_5) {
        a = at(x - 1, y); // horizontal gradient: compare left and right
        b = at(x + 1, y);
      } else if (ay >= ax * TAN_67_5) {
        a = at(x, y - 1);
        b = at(x, y + 1);
      } else {
        const s = gx[p]! * gy[p]! > 0 ? 1 : -1; // same signs: the gradient points down-right
        a = at(x - s, y - 1);
        b = at(x + s, y + 1);
      }
      // Ties broken one way (> on one side, ≥ on the other) so a plateau keeps one pixel, as OpenCV does.
      if (v > a && v >= b) out[p] = v;
    }
  }
  return out;
}
