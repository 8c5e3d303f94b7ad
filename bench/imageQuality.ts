import type { RgbaImage } from '../electron/core/image/types.js';

/**
 * PSNR and SSIM on luma (BT.601 Y, 0–255), as super-resolution papers report them: `border` pixels on every
 * side left out. SSIM: Wang et al. 2004, 11×11 Gaussian window (σ 1.5), K1 0.01, K2 0.03, mean over the map.
 */
function luma(img: RgbaImage): Float64Array {
  const out = new Float64Array(img.width * img.height);
  for (let p = 0; p < out.length; p++) {
    out[p] = 16 + (65.481 * img.data[p * 4]! + 128.553 * img.data[p * 4 + 1]! + 24.966 * img.data[p * 4 + 2]!) / 255;
  }
  return out;
}

function crop(a: Float64Array, w: number, h: number, b: number): { data: Float64Array; w: number; h: number } {
  const cw = w - 2 * b;
  const ch = h - 2 * b;
  const out = new Float64Array(cw * ch);
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) out[y * cw + x] = a[(y + b) * w + x + b]!;
  return { data: out, w: cw, h: ch };
}

/** Separable Gaussian blur, 'valid' region only (no padding), like skimage/MATLAB ssim. */
function blurValid(a: Float64Array, w: number, h: number, k: Float64Array): { data: Float64Array; w: number; h: number } {
  const r = (k.length - 1) / 2;
  const tw = w - 2 * r;
  const tmp = new Float64Array(tw * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < tw; x++) {
    let s = 0;
    for (let i = 0; i < k.length; i++) s += a[y * w + x + i]! * k[i]!;
    tmp[y * tw + x] = s;
  }
  const th = h - 2 * r;
  const out = new Float64Array(tw * th);
  for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) {
    let s = 0;
    for (let i = 0; i < k.length; i++) s += tmp[(y + i) * tw + x]! * k[i]!;
    out[y * tw + x] = s;
  }
  return { data: out, w: tw, h: th };
}

export function psnrSsimY(truth: RgbaImage, test: RgbaImage, border = 0): { psnr: number; ssim: number } {
  if (truth.width !== test.width || truth.height !== test.height) throw new Error('images differ in size');
  const a = crop(luma(truth), truth.width, truth.height, border);
  const b = crop(luma(test), test.width, test.height, border);
  let se = 0;
  for (let i = 0; i < a.data.length; i++) se += (a.data[i]! - b.data[i]!) ** 2;
  const mse = se / a.data.length;
  const psnr = mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
  const k = new Float64Array(11);
  let ks = 0;
  for (let i = 0; i < 11; i++) ks += k[i] = Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5));
  for (let i = 0; i < 11; i++) k[i]! /= ks;
  const sq = (x: Float64Array, y: Float64Array) => x.map((v, i) => v * y[i]!);
  const mu1 = blurValid(a.data, a.w, a.h, k).data;
  const mu2 = blurValid(b.data, b.w, b.h, k).data;
  const s11 = blurValid(sq(a.data, a.data), a.w, a.h, k).data;
  const s22 = blurValid(sq(b.data, b.data), b.w, b.h, k).data;
  const s12 = blurValid(sq(a.data, b.data), a.w, a.h, k).data;
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let sum = 0;
  for (let i = 0; i < mu1.length; i++) {
    const m1 = mu1[i]!;
    const m2 = mu2[i]!;
    const v1 = s11[i]! - m1 * m1;
    const v2 = s22[i]! - m2 * m2;
    const cv = s12[i]! - m1 * m2;
    sum += ((2 * m1 * m2 + c1) * (2 * cv + c2)) / ((m1 * m1 + m2 * m2 + c1) * (v1 + v2 + c2));
  }
  return { psnr, ssim: sum / mu1.length };
}

/**
 * Lanczos-3 enlargement (separable, pixel centres, edge pixels repeated), RGB; alpha opaque. libvips (sharp)
 * has no Lanczos interpolator for enlarging: its 'lanczos3' kernel only applies when reducing, so an
 * enlargement through sharp with it is bicubic — this is the real thing for the comparison table.
 */
export function lanczos3Upscale(img: RgbaImage, w: number, h: number): RgbaImage {
  const a = 3;
  const weights = (inLen: number, outLen: number) => {
    const scale = inLen / outLen;
    return Array.from({ length: outLen }, (_, o) => {
      const c = (o + 0.5) * scale - 0.5;
      const first = Math.floor(c) - a + 1;
      const taps: [number, number][] = [];
      let sum = 0;
      for (let i = first; i < first + 2 * a; i++) {
        const x = c - i;
        const v = x === 0 ? 1 : Math.abs(x) < a ? (a * Math.sin(Math.PI * x) * Math.sin((Math.PI * x) / a)) / (Math.PI * Math.PI * x * x) : 0;
        taps.push([Math.min(inLen - 1, Math.max(0, i)), v]);
        sum += v;
      }
      return taps.map(([i, v]) => [i, v / sum] as [number, number]);
    });
  };
  const wx = weights(img.width, w);
  const wy = weights(img.height, h);
  const tmp = new Float64Array(w * img.height * 3);
  for (let y = 0; y < img.height; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    let s = 0;
    for (const [i, v] of wx[x]!) s += img.data[(y * img.width + i) * 4 + c]! * v;
    tmp[(y * w + x) * 3 + c] = s;
  }
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (const [i, v] of wy[y]!) s += tmp[(i * w + x) * 3 + c]! * v;
      data[(y * w + x) * 4 + c] = Math.min(255, Math.max(0, Math.round(s)));
    }
    data[(y * w + x) * 4 + 3] = 255;
  }
  return { width: w, height: h, data };
}
