/**
 * Single-channel float-plane primitives for the control preprocessors: separable filters with edges
 * replicated, and binary-image morphology. Plain loops over typed arrays, no allocation per pixel.
 */

/** Separable Gaussian blur (kernel radius ⌈3σ⌉, normalised); σ ≤ 0 returns the plane itself. */
export function gaussianBlur(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return src;
  const r = Math.ceil(3 * sigma);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return separable(src, w, h, (line, n, out) => {
    for (let x = 0; x < n; x++) {
      let v = 0;
      if (x >= r && x + r < n) {
        for (let i = -r; i <= r; i++) v += k[i + r]! * line[x + i]!; // interior: no clamping
      } else {
        for (let i = -r; i <= r; i++) v += k[i + r]! * line[Math.min(n - 1, Math.max(0, x + i))]!;
      }
      out[x] = v;
    }
  });
}

/**
 * Separable maximum over a (2r+1)² square: grey dilation, which removes dark details thinner than 2r.
 * van Herk / Gil–Werman: block-wise running maxima, three comparisons a pixel whatever r.
 */
export function maxFilter(src: Float32Array, w: number, h: number, r: number): Float32Array {
  if (r <= 0) return src;
  const size = 2 * r + 1;
  let ahead = new Float32Array(0);
  let behind = new Float32Array(0);
  return separable(src, w, h, (line, n, out) => {
    // Padded with -∞ by r on both sides, rounded up to whole blocks.
    const padded = Math.ceil((n + 2 * r) / size) * size;
    if (ahead.length < padded) {
      ahead = new Float32Array(padded);
      behind = new Float32Array(padded);
    }
    const v = (i: number) => (i >= r && i < n + r ? line[i - r]! : -Infinity);
    for (let b = 0; b < padded; b += size) {
      ahead[b] = v(b);
      for (let i = b + 1; i < b + size; i++) ahead[i] = Math.max(ahead[i - 1]!, v(i));
      behind[b + size - 1] = v(b + size - 1);
      for (let i = b + size - 2; i >= b; i--) behind[i] = Math.max(behind[i + 1]!, v(i));
    }
    // The window [x, x + 2r] of the padded line is centred on source pixel x.
    for (let x = 0; x < n; x++) out[x] = Math.max(behind[x]!, ahead[x + size - 1]!);
  });
}

/** Runs a 1-D filter along rows, then along columns. */
function separable(src: Float32Array, w: number, h: number, filter: (line: Float32Array, n: number, out: Float32Array) => void): Float32Array {
  const tmp = new Float32Array(w * h);
  const rowOut = new Float32Array(w);
  for (let y = 0; y < h; y++) {
    filter(src.subarray(y * w, y * w + w), w, rowOut);
    tmp.set(rowOut, y * w);
  }
  const out = new Float32Array(w * h);
  const col = new Float32Array(h);
  const colOut = new Float32Array(h);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) col[y] = tmp[y * w + x]!;
    filter(col, h, colOut);
    for (let y = 0; y < h; y++) out[y * w + x] = colOut[y]!;
  }
  return out;
}

/** 255 on strong pixels (> high) and on every weak pixel (> low) 8-connected to one; 0 elsewhere. */
export function hysteresis(m: Float32Array, w: number, h: number, low: number, high: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const stack: number[] = [];
  for (let p = 0; p < m.length; p++) {
    if (m[p]! > high && out[p] === 0) {
      out[p] = 255;
      stack.push(p);
      while (stack.length > 0) {
        const q = stack.pop()!;
        const qx = q % w;
        const qy = (q - qx) / w;
        for (let dy = -1; dy <= 1; dy++) {
          const ny = qy + dy;
          if (ny < 0 || ny >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const nx = qx + dx;
            if (nx < 0 || nx >= w) continue;
            const r = ny * w + nx;
            if (out[r] === 0 && m[r]! > low) {
              out[r] = 255;
              stack.push(r);
            }
          }
        }
      }
    }
  }
  return out;
}

/** Clears 8-connected components of `bits` (0/1) smaller than `minArea` pixels, in place. */
export function dropSmallComponents(bits: Uint8Array, w: number, h: number, minArea: number): void {
  if (minArea <= 1) return;
  const seen = new Uint8Array(w * h);
  const members: number[] = [];
  for (let p = 0; p < bits.length; p++) {
    if (bits[p] === 0 || seen[p] === 1) continue;
    members.length = 0;
    members.push(p);
    seen[p] = 1;
    for (let i = 0; i < members.length; i++) {
      const q = members[i]!;
      const qx = q % w;
      const qy = (q - qx) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = qx + dx;
          const ny = qy + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const r = ny * w + nx;
          if (bits[r] === 1 && seen[r] === 0) {
            seen[r] = 1;
            members.push(r);
          }
        }
      }
    }
    if (members.length < minArea) for (const q of members) bits[q] = 0;
  }
}

/**
 * Zhang–Suen thinning (CACM 1984) of a 0/1 image, in place: every stroke becomes a line one pixel wide
 * along its middle, keeping its connectivity and ends.
 */
export function thin(bits: Uint8Array, w: number, h: number): void {
  // A one-pixel frame of zeros around the image lets the neighbour reads skip bounds checks.
  const W = w + 2;
  const img = new Uint8Array(W * (h + 2));
  let candidates: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (bits[y * w + x] === 0) continue;
      img[(y + 1) * W + x + 1] = 1;
      candidates.push((y + 1) * W + x + 1);
    }
  }
  const remove: number[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (let pass = 0; pass < 2; pass++) {
      remove.length = 0;
      for (const p of candidates) {
        // Neighbours P2..P9 clockwise from north.
        const p2 = img[p - W]!, p3 = img[p - W + 1]!, p4 = img[p + 1]!, p5 = img[p + W + 1]!;
        const p6 = img[p + W]!, p7 = img[p + W - 1]!, p8 = img[p - 1]!, p9 = img[p - W - 1]!;
        const count = p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9;
        if (count < 2 || count > 6) continue;
        const transitions =
          (p2 < p3 ? 1 : 0) + (p3 < p4 ? 1 : 0) + (p4 < p5 ? 1 : 0) + (p5 < p6 ? 1 : 0) +
          (p6 < p7 ? 1 : 0) + (p7 < p8 ? 1 : 0) + (p8 < p9 ? 1 : 0) + (p9 < p2 ? 1 : 0);
        if (transitions !== 1) continue;
        if (pass === 0 ? p2 * p4 * p6 === 0 && p4 * p6 * p8 === 0 : p2 * p4 * p8 === 0 && p2 * p6 * p8 === 0) remove.push(p);
      }
      for (const p of remove) img[p] = 0;
      if (remove.length > 0) changed = true;
    }
    candidates = candidates.filter((p) => img[p] === 1);
  }
  bits.fill(0);
  for (const p of candidates) bits[(Math.floor(p / W) - 1) * w + (p % W) - 1] = 1;
}

/** Stamps a disc of `width` pixels across on every set pixel of `bits`: 255 inside, 0 elsewhere. */
export function stampDiscs(bits: Uint8Array, w: number, h: number, width: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const r = width / 2;
  const reach = Math.ceil(r);
  const offsets: Array<[number, number]> = [];
  for (let dy = -reach; dy <= reach; dy++) for (let dx = -reach; dx <= reach; dx++) if (dx * dx + dy * dy <= r * r) offsets.push([dx, dy]);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (bits[y * w + x] === 0) continue;
      for (const [dx, dy] of offsets) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx >= 0 && ny >= 0 && nx < w && ny < h) out[ny * w + nx] = 255;
      }
    }
  }
  return out;
}
