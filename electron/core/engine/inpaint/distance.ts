/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled
 * Functions", 2012): two 1-D lower-envelope passes, linear time. Pure maths, no I/O.
 */

const INF = 1e20;

/** 1-D squared distance transform of f (length n) into d; parabolas at INF (no feature) are skipped. */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q]!;
    if (fq >= INF) continue;
    let s = -INF;
    while (k >= 0) {
      const p = v[k]!;
      s = (fq + q * q - (f[p]! + p * p)) / (2 * q - 2 * p);
      if (s > z[k]!) break;
      k--;
    }
    if (k < 0) s = -INF;
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  if (k < 0) {
    d.fill(INF, 0, n);
    return;
  }
  let j = 0;
  for (let q = 0; q < n; q++) {
    while (z[j + 1]! < q) j++;
    const p = v[j]!;
    d[q] = (q - p) * (q - p) + f[p]!;
  }
}

/**
 * Distance from every pixel of a w×h grid to the nearest pixel where `feature[i]` is non-zero
 * (0 on features; Infinity everywhere when there is none).
 */
export function distanceTransform(feature: Uint8Array, w: number, h: number): Float32Array {
  const n = Math.max(w, h);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  const tmp = new Float64Array(w * h);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = feature[y * w + x] ? 0 : INF;
    edt1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) tmp[y * w + x] = d[y]!;
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) f[x] = tmp[row + x]!;
    edt1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[row + x] = d[x]! >= INF / 2 ? Infinity : Math.sqrt(d[x]!);
  }
  return out;
}
