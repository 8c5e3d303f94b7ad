/**
 * sRGB (D65) ⇄ CIE L*a*b*, for colour statistics that follow perception rather than bytes.
 * Pure maths, no I/O. 8-bit sRGB in, Lab as Float32 triples (L 0..100).
 */

const XN = 0.95047;
const YN = 1.0;
const ZN = 1.08883;
const EPS = 216 / 24389; // (6/29)^3
const KAPPA = 24389 / 27;

/** sRGB byte → linear light, exact per byte (256 entries beat a pow per pixel). */
const TO_LINEAR = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  TO_LINEAR[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

/** Linear light → sRGB 0..255 (float), tabulated finely enough that rounding to a byte is exact. */
const GAMMA_STEPS = 8192;
const TO_SRGB = new Float32Array(GAMMA_STEPS + 2);
for (let i = 0; i <= GAMMA_STEPS + 1; i++) {
  const c = Math.min(1, i / GAMMA_STEPS);
  TO_SRGB[i] = 255 * (c <= 0.0031308 ? c * 12.92 : 1.055 * Math.pow(c, 1 / 2.4) - 0.055);
}

function linearToSrgb(v: number): number {
  if (v <= 0) return 0;
  if (v >= 1) return 255;
  // Linear interpolation in the table; the curve is steep near 0, where the exact formula takes over.
  if (v < 0.0031308) return 255 * 12.92 * v;
  const x = v * GAMMA_STEPS;
  const i = x | 0;
  const t = x - i;
  return TO_SRGB[i]! + (TO_SRGB[i + 1]! - TO_SRGB[i]!) * t;
}

function f(t: number): number {
  return t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
}

function fInv(t: number): number {
  const t3 = t * t * t;
  return t3 > EPS ? t3 : (116 * t - 16) / KAPPA;
}

/** One sRGB byte triple → Lab, written to out[o..o+2]. */
export function rgbToLab(r: number, g: number, b: number, out: Float32Array | number[], o = 0): void {
  const lr = TO_LINEAR[r]!;
  const lg = TO_LINEAR[g]!;
  const lb = TO_LINEAR[b]!;
  const x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / XN;
  const y = (0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb) / YN;
  const z = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / ZN;
  const fx = f(x);
  const fy = f(y);
  const fz = f(z);
  out[o] = 116 * fy - 16;
  out[o + 1] = 500 * (fx - fy);
  out[o + 2] = 200 * (fy - fz);
}

/** Lab → sRGB as floats 0..255 (clamped to the gamut box, not rounded), written to out[o..o+2]. */
export function labToRgb(L: number, a: number, b: number, out: Float32Array | number[], o = 0): void {
  const fy = (L + 16) / 116;
  const x = XN * fInv(fy + a / 500);
  const y = YN * fInv(fy);
  const z = ZN * fInv(fy - b / 200);
  out[o] = linearToSrgb(3.2404542 * x - 1.5371385 * y - 0.4985314 * z);
  out[o + 1] = linearToSrgb(-0.969266 * x + 1.8760108 * y + 0.041556 * z);
  out[o + 2] = linearToSrgb(0.0556434 * x - 0.2040259 * y + 1.0572252 * z);
}

/** A rectangle of an RGBA image in Lab: 3 floats per pixel, row-major over the rectangle. */
export function rgbaToLab(data: Uint8Array, width: number, x0: number, y0: number, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    let i = ((y0 + y) * width + x0) * 4;
    let o = y * w * 3;
    for (let x = 0; x < w; x++, i += 4, o += 3) rgbToLab(data[i]!, data[i + 1]!, data[i + 2]!, out, o);
  }
  return out;
}

/**
 * A rectangle of an RGBA image through a per-channel affine map in Lab (v → v·gain + offset), mixed
 * per pixel by `strength` (0 keeps the pixel), back to sRGB float planes (R plane, G plane, B plane).
 * Written as one loop with the conversions inlined: paste-back runs it once per generated image, so
 * it mostly runs before the JIT has optimised anything, and per-pixel calls would dominate.
 */
export function affineLabToPlanes(
  data: Uint8Array,
  width: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  gain: readonly [number, number, number],
  offset: readonly [number, number, number],
  strength: Float32Array,
): Float32Array {
  const n = w * h;
  const out = new Float32Array(3 * n);
  const [g0, g1, g2] = gain;
  const [o0, o1, o2] = offset;
  for (let y = 0; y < h; y++) {
    let i = ((y0 + y) * width + x0) * 4;
    for (let x = 0; x < w; x++, i += 4) {
      const p = y * w + x;
      const s = strength[p]!;
      if (s === 0) {
        out[p] = data[i]!;
        out[n + p] = data[i + 1]!;
        out[2 * n + p] = data[i + 2]!;
        continue;
      }
      const lr = TO_LINEAR[data[i]!]!;
      const lg = TO_LINEAR[data[i + 1]!]!;
      const lb = TO_LINEAR[data[i + 2]!]!;
      const tx = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / XN;
      const ty = (0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb) / YN;
      const tz = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / ZN;
      const fx = tx > EPS ? Math.cbrt(tx) : (KAPPA * tx + 16) / 116;
      const fy = ty > EPS ? Math.cbrt(ty) : (KAPPA * ty + 16) / 116;
      const fz = tz > EPS ? Math.cbrt(tz) : (KAPPA * tz + 16) / 116;
      let L = 116 * fy - 16;
      let a = 500 * (fx - fy);
      let b = 200 * (fy - fz);
      L += s * (L * g0 + o0 - L);
      a += s * (a * g1 + o1 - a);
      b += s * (b * g2 + o2 - b);
      // Back: Lab → XYZ → linear sRGB → sRGB bytes (as floats).
      const qy = (L + 16) / 116;
      const qx = qy + a / 500;
      const qz = qy - b / 200;
      const qx3 = qx * qx * qx;
      const qy3 = qy * qy * qy;
      const qz3 = qz * qz * qz;
      const X = XN * (qx3 > EPS ? qx3 : (116 * qx - 16) / KAPPA);
      const Y = YN * (qy3 > EPS ? qy3 : (116 * qy - 16) / KAPPA);
      const Z = ZN * (qz3 > EPS ? qz3 : (116 * qz - 16) / KAPPA);
      const rl = 3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z;
      const gl = -0.969266 * X + 1.8760108 * Y + 0.041556 * Z;
      const bl = 0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z;
      for (let c = 0; c < 3; c++) {
        const v = c === 0 ? rl : c === 1 ? gl : bl;
        let e: number;
        if (v <= 0) e = 0;
        else if (v >= 1) e = 255;
        else if (v < 0.0031308) e = 255 * 12.92 * v;
        else {
          const k = v * GAMMA_STEPS;
          const j = k | 0;
          e = TO_SRGB[j]! + (TO_SRGB[j + 1]! - TO_SRGB[j]!) * (k - j);
        }
        out[c * n + p] = e;
      }
    }
  }
  return out;
}
