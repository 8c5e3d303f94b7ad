/**
 * Procedural test material for inpainting: scenes (gradients, textures, flat colour fields, a
 * photo-like landscape), masks of several shapes, and a "generated" image degraded the way a VAE
 * round trip degrades one (tint, contrast loss, slight blur) with new content that ends on the
 * 8-px latent grid rather than on the mask. Deterministic from a seed. Pure maths, no I/O.
 */
import { createGray, createRgba, type GrayImage, type RgbaImage } from '../../core/image/types.js';
import { repaintPixelMask } from '../../core/engine/inpaint/gridMask.js';
import { labToRgb, rgbToLab } from '../../core/engine/inpaint/lab.js';
import { createRng } from '../../core/engine/rng.js';

export const SCENE_KINDS = ['gradient', 'texture', 'flat', 'photo'] as const;
export type SceneKind = (typeof SCENE_KINDS)[number];
export const MASK_SHAPES = ['circle', 'rect', 'blob', 'stroke'] as const;
export type MaskShape = (typeof MASK_SHAPES)[number];

/** Smooth value noise in [0, 1]: random lattice every `cell` px, smoothstep-interpolated. */
function valueNoise(w: number, h: number, cell: number, rnd: () => number): Float32Array {
  const gw = Math.ceil(w / cell) + 2;
  const gh = Math.ceil(h / cell) + 2;
  const grid = new Float32Array(gw * gh).map(() => rnd());
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = y / cell;
    const iy = Math.floor(fy);
    let ty = fy - iy;
    ty = ty * ty * (3 - 2 * ty);
    for (let x = 0; x < w; x++) {
      const fx = x / cell;
      const ix = Math.floor(fx);
      let tx = fx - ix;
      tx = tx * tx * (3 - 2 * tx);
      const a = grid[iy * gw + ix]!;
      const b = grid[iy * gw + ix + 1]!;
      const c = grid[(iy + 1) * gw + ix]!;
      const d = grid[(iy + 1) * gw + ix + 1]!;
      out[y * w + x] = (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }
  }
  return out;
}

function fractal(w: number, h: number, cells: readonly number[], rnd: () => number): Float32Array {
  const out = new Float32Array(w * h);
  let total = 0;
  cells.forEach((cell, i) => {
    const amp = 1 / (i + 1);
    total += amp;
    const n = valueNoise(w, h, cell, rnd);
    for (let p = 0; p < out.length; p++) out[p]! += amp * n[p]!;
  });
  for (let p = 0; p < out.length; p++) out[p]! /= total;
  return out;
}

function clamp8(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

export function makeScene(kind: SceneKind, w: number, h: number, seed = 1): RgbaImage {
  const rng = createRng(seed >>> 0);
  const rnd = (): number => rng.nextFloat();
  const img = createRgba(w, h, [0, 0, 0, 255]);
  const d = img.data;
  const put = (p: number, r: number, g: number, b: number) => {
    d[p * 4] = clamp8(r);
    d[p * 4 + 1] = clamp8(g);
    d[p * 4 + 2] = clamp8(b);
  };
  if (kind === 'gradient') {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) put(y * w + x, 40 + (180 * x) / w, 60 + (150 * y) / h, 200 - (120 * (x + y)) / (w + h));
  } else if (kind === 'texture') {
    const n1 = fractal(w, h, [24, 8, 3], rnd);
    const n2 = fractal(w, h, [32, 6, 2], rnd);
    for (let p = 0; p < w * h; p++) put(p, 60 + 150 * n1[p]!, 90 + 110 * n2[p]!, 50 + 90 * (n1[p]! * n2[p]!));
  } else if (kind === 'flat') {
    const colours = [[200, 60, 50], [40, 120, 190], [230, 200, 90], [70, 160, 80]] as const;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const c = colours[(x + 0.6 * y < 0.7 * w ? 0 : 1) + (y > 0.55 * h ? 2 : 0)]!;
        put(y * w + x, c[0], c[1], c[2]);
      }
    }
  } else {
    // Photo-like: sky gradient, textured ground below a horizon, a soft sun, sensor grain.
    const ground = fractal(w, h, [40, 12, 4, 2], rnd);
    const horizon = 0.45 * h;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        const grain = (rnd() - 0.5) * 6;
        if (y < horizon) {
          const t = y / horizon;
          const sun = Math.exp(-((x - 0.7 * w) ** 2 + (y - 0.25 * h) ** 2) / (2 * (0.08 * w) ** 2));
          put(p, 90 + 80 * t + 150 * sun + grain, 140 + 60 * t + 110 * sun + grain, 220 - 20 * t + 20 * sun + grain);
        } else {
          const n = ground[p]!;
          put(p, 70 + 90 * n + grain, 100 + 80 * n + grain, 40 + 40 * n + grain);
        }
      }
    }
  }
  return img;
}

/** Masks placed off the 8-px grid on purpose (255 repaints). */
export function makeMask(shape: MaskShape, w: number, h: number): GrayImage {
  const m = createGray(w, h);
  const cx = 0.5 * w + 3;
  const cy = 0.47 * h + 5;
  const s = Math.min(w, h);
  const inside = (x: number, y: number): boolean => {
    switch (shape) {
      case 'circle':
        return (x - cx) ** 2 + (y - cy) ** 2 <= (0.2 * s) ** 2;
      case 'rect':
        return Math.abs(x - cx) <= 0.23 * s && Math.abs(y - cy) <= 0.15 * s;
      case 'blob':
        return (
          (x - cx) ** 2 + (y - cy) ** 2 <= (0.15 * s) ** 2 ||
          (x - cx - 0.14 * s) ** 2 + (y - cy + 0.1 * s) ** 2 <= (0.1 * s) ** 2 ||
          (x - cx + 0.12 * s) ** 2 + (y - cy - 0.12 * s) ** 2 <= (0.08 * s) ** 2
        );
      case 'stroke': {
        // A thick diagonal brush stroke, ≈ 5 % of the side wide.
        const t = Math.max(0, Math.min(1, ((x - 0.2 * w) * 0.6 + (y - 0.3 * h) * 0.4) / (0.36 * s)));
        const px = 0.2 * w + t * 0.6 * s;
        const py = 0.3 * h + t * 0.4 * s;
        return (x - px) ** 2 + (y - py) ** 2 <= (0.028 * s) ** 2;
      }
    }
  };
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (inside(x + 0.5, y + 0.5)) m.data[y * w + x] = 255;
  return m;
}

export interface VaeLikeDegradation {
  /** Lab shift of the whole decoded image (the VAE tint). */
  tint: readonly [number, number, number];
  /** Contrast kept around the image mean in Lab (1 = none lost). */
  contrast: number;
  /** Gaussian blur sigma in px. */
  blurSigma: number;
  /** Extra Lab shift of the new content only (the model's own colour drift). */
  drift: readonly [number, number, number];
}

export const DEFAULT_DEGRADATION: VaeLikeDegradation = { tint: [-2.5, 1.5, 3.5], contrast: 0.88, blurSigma: 0.8, drift: [3, -1.5, -2] };

/**
 * A stand-in for what the model returns: outside the repaint region (mask + margin, grown to the
 * latent grid) the original, inside a new instance of the same scene (new detail, same look) with
 * the model's drift; then the whole image goes through a VAE-like tint, contrast loss and blur.
 */
export function simulateGenerated(
  original: RgbaImage,
  kind: SceneKind,
  mask: GrayImage,
  marginPx: number,
  seed: number,
  deg: VaeLikeDegradation = DEFAULT_DEGRADATION,
): RgbaImage {
  const { width: w, height: h } = original;
  const region = repaintPixelMask(mask, marginPx);
  const fresh = makeScene(kind, w, h, seed + 7919);
  const lab = new Float32Array(w * h * 3);
  const mean = [0, 0, 0];
  for (let p = 0; p < w * h; p++) {
    const src = region.data[p] ? fresh.data : original.data;
    rgbToLab(src[p * 4]!, src[p * 4 + 1]!, src[p * 4 + 2]!, lab, p * 3);
    if (region.data[p]) for (let c = 0; c < 3; c++) lab[p * 3 + c]! += deg.drift[c]!;
    for (let c = 0; c < 3; c++) mean[c]! += lab[p * 3 + c]! / (w * h);
  }
  const out = createRgba(w, h, [0, 0, 0, 255]);
  const rgb = new Float32Array(3);
  const planesRgb = new Float32Array(w * h * 3);
  for (let p = 0; p < w * h; p++) {
    const L = mean[0]! + (lab[p * 3]! - mean[0]!) * deg.contrast + deg.tint[0];
    const a = mean[1]! + (lab[p * 3 + 1]! - mean[1]!) * deg.contrast + deg.tint[1];
    const b = mean[2]! + (lab[p * 3 + 2]! - mean[2]!) * deg.contrast + deg.tint[2];
    labToRgb(L, a, b, rgb);
    planesRgb.set(rgb, p * 3);
  }
  const blurred = gaussianBlurRgb(planesRgb, w, h, deg.blurSigma);
  for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) out.data[p * 4 + c] = clamp8(blurred[p * 3 + c]!);
  return out;
}

function gaussianBlurRgb(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  if (sigma <= 0) return src;
  const r = Math.ceil(3 * sigma);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (let i = -r; i <= r; i++) v += k[i + r]! * src[(y * w + Math.min(w - 1, Math.max(0, x + i))) * 3 + c]!;
        tmp[(y * w + x) * 3 + c] = v;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (let i = -r; i <= r; i++) v += k[i + r]! * tmp[(Math.min(h - 1, Math.max(0, y + i)) * w + x) * 3 + c]!;
        out[(y * w + x) * 3 + c] = v;
      }
    }
  }
  return out;
}
