/**
 * Gaussian/Laplacian pyramid primitives (Burt & Adelson, 1983) on planar float images, with the
 * 5-tap binomial kernel [1 4 6 4 1]/16 and clamped borders. Pure maths, no I/O.
 */

/** `c` planes of w×h floats, plane after plane. */
export interface Planes {
  readonly w: number;
  readonly h: number;
  readonly c: number;
  readonly data: Float32Array;
}

export function planes(w: number, h: number, c: number): Planes {
  return { w, h, c, data: new Float32Array(w * h * c) };
}

/** Blur with the binomial kernel and keep every other pixel: ⌈w/2⌉ × ⌈h/2⌉. */
export function reduce(src: Planes): Planes {
  const { w, h, c } = src;
  const w2 = (w + 1) >> 1;
  const h2 = (h + 1) >> 1;
  const tmp = new Float32Array(w2 * h);
  const out = planes(w2, h2, c);
  const lastX = w - 1;
  const lastY = h - 1;
  for (let p = 0; p < c; p++) {
    const s = src.data.subarray(p * w * h, (p + 1) * w * h);
    for (let y = 0; y < h; y++) {
      const row = y * w;
      for (let i = 0; i < w2; i++) {
        const x = 2 * i;
        const a = s[row + (x < 2 ? 0 : x - 2)]!;
        const b = s[row + (x < 1 ? 0 : x - 1)]!;
        const m = s[row + x]!;
        const d = s[row + (x + 1 > lastX ? lastX : x + 1)]!;
        const e = s[row + (x + 2 > lastX ? lastX : x + 2)]!;
        tmp[y * w2 + i] = (a + 4 * b + 6 * m + 4 * d + e) * 0.0625;
      }
    }
    const o = out.data.subarray(p * w2 * h2, (p + 1) * w2 * h2);
    for (let j = 0; j < h2; j++) {
      const y = 2 * j;
      const ra = (y < 2 ? 0 : y - 2) * w2;
      const rb = (y < 1 ? 0 : y - 1) * w2;
      const rm = y * w2;
      const rd = (y + 1 > lastY ? lastY : y + 1) * w2;
      const re = (y + 2 > lastY ? lastY : y + 2) * w2;
      for (let i = 0; i < w2; i++) {
        o[j * w2 + i] = (tmp[ra + i]! + 4 * tmp[rb + i]! + 6 * tmp[rm + i]! + 4 * tmp[rd + i]! + tmp[re + i]!) * 0.0625;
      }
    }
  }
  return out;
}

/** Burt's expand to w × h: even outputs (¹/₈, ⁶/₈, ¹/₈), odd outputs (½, ½) of the coarse samples. */
export function expand(src: Planes, w: number, h: number): Planes {
  const { w: sw, h: sh, c } = src;
  const tmp = new Float32Array(w * sh);
  const out = planes(w, h, c);
  const lastX = sw - 1;
  const lastY = sh - 1;
  for (let p = 0; p < c; p++) {
    const s = src.data.subarray(p * sw * sh, (p + 1) * sw * sh);
    for (let y = 0; y < sh; y++) {
      const row = y * sw;
      const trow = y * w;
      for (let x = 0; x < w; x++) {
        const i = x >> 1;
        const i0 = i > lastX ? lastX : i;
        const i1 = i + 1 > lastX ? lastX : i + 1;
        if (x & 1) tmp[trow + x] = 0.5 * (s[row + i0]! + s[row + i1]!);
        else tmp[trow + x] = 0.125 * (s[row + (i0 < 1 ? 0 : i0 - 1)]! + 6 * s[row + i0]! + s[row + i1]!);
      }
    }
    const o = out.data.subarray(p * w * h, (p + 1) * w * h);
    for (let y = 0; y < h; y++) {
      const j = y >> 1;
      const j0 = (j > lastY ? lastY : j) * w;
      const j1 = (j + 1 > lastY ? lastY : j + 1) * w;
      const orow = y * w;
      if (y & 1) {
        for (let x = 0; x < w; x++) o[orow + x] = 0.5 * (tmp[j0 + x]! + tmp[j1 + x]!);
      } else {
        const jm = (j < 1 ? 0 : Math.min(j, lastY) - 1) * w;
        for (let x = 0; x < w; x++) o[orow + x] = 0.125 * (tmp[jm + x]! + 6 * tmp[j0 + x]! + tmp[j1 + x]!);
      }
    }
  }
  return out;
}

/** Gaussian pyramid: level 0 is `src`; stops at `levels` or when a side would drop below `minSide`. */
export function gaussianPyramid(src: Planes, levels: number, minSide = 4): Planes[] {
  const out = [src];
  while (out.length <= levels) {
    const last = out[out.length - 1]!;
    if (Math.min(last.w, last.h) < 2 * minSide) break;
    out.push(reduce(last));
  }
  return out;
}

/** Level k of a pyramid expanded back to the size of level 0 (k expands in a row). */
export function expandToBase(pyr: readonly Planes[], k: number): Planes {
  let cur = pyr[k]!;
  for (let j = k - 1; j >= 0; j--) cur = expand(cur, pyr[j]!.w, pyr[j]!.h);
  return cur;
}
