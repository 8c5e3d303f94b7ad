/**
 * Colour match for inpainting: the VAE round trip tints the generated image and flattens its contrast.
 * Measure it where both images are trustworthy — a ring just outside the user's mask, which the model
 * also repainted (the repaint region has a margin) — and undo it with a per-channel mean/variance
 * transfer in Lab, full strength at the seam and easing off deep inside the mask, so big new content
 * keeps some of its own look. Pure maths, no I/O.
 */

export interface LabTransfer {
  /** Per channel L, a, b: corrected = (value − fromMean) · gain + toMean. */
  fromMean: [number, number, number];
  toMean: [number, number, number];
  gain: [number, number, number];
  /** Ring pixels the statistics came from. */
  samples: number;
}

export interface ColorMatchFalloff {
  /** Full strength up to this distance inside the mask (px). */
  fullPx: number;
  /** Strength reached at `fullPx + easePx` and kept beyond. */
  interiorStrength: number;
  easePx: number;
}

export const DEFAULT_FALLOFF: ColorMatchFalloff = { fullPx: 24, easePx: 72, interiorStrength: 0.5 };

/** Below this many ring pixels the statistics are too thin to trust: no correction. */
const MIN_SAMPLES = 32;
/** Lab units added to both deviations: keeps flat rings from producing wild gains. */
const STD_FLOOR = 1;
const MAX_GAIN = 2;
/** Chroma contrast restored at most this much (and never reduced). */
const MAX_CHROMA_GAIN = 1.25;
/** Largest corrections taken for lighting (ΔL) and tint (|Δa, Δb|); VAE round trips stay well inside. */
const MAX_LIGHTNESS_SHIFT = 10;
const MAX_TINT = 6;

/**
 * Mean/variance transfer that maps the generated ring's Lab statistics onto the original's. `'tint'`
 * (for the whole repainted region) limits it to what lighting and a VAE tint do; `'full'` (only for the
 * few pixels next to the edge, where the two images must meet) takes the statistics as they are.
 * `ring[i]` selects the pixels (of the two Lab buffers, 3 floats per pixel, rows of `width`) to measure.
 */
export function measureTransfer(
  originalLab: Float32Array,
  generatedLab: Float32Array,
  ring: Uint8Array,
  width: number,
  limits: 'tint' | 'full' = 'tint',
): LabTransfer | undefined {
  const keep = consistentRing(originalLab, generatedLab, ring, width);
  const so = [0, 0, 0];
  const sg = [0, 0, 0];
  const qo = [0, 0, 0];
  const qg = [0, 0, 0];
  let n = 0;
  for (let p = 0; p < keep.length; p++) {
    if (!keep[p]) continue;
    n++;
    for (let c = 0; c < 3; c++) {
      const o = originalLab[p * 3 + c]!;
      const g = generatedLab[p * 3 + c]!;
      so[c]! += o;
      sg[c]! += g;
      qo[c]! += o * o;
      qg[c]! += g * g;
    }
  }
  if (n < MIN_SAMPLES) return undefined;
  const t: LabTransfer = { fromMean: [0, 0, 0], toMean: [0, 0, 0], gain: [1, 1, 1], samples: n };
  const shift = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const mo = so[c]! / n;
    const mg = sg[c]! / n;
    const vo = Math.max(0, qo[c]! / n - mo * mo);
    const vg = Math.max(0, qg[c]! / n - mg * mg);
    t.fromMean[c] = mg;
    shift[c] = mo - mg;
    const gain = (Math.sqrt(vo) + STD_FLOOR) / (Math.sqrt(vg) + STD_FLOOR);
    // Lightness takes the full contrast transfer (lighting). Chroma only ever gets back what a VAE
    // round trip flattens: a ring of dull grass must not squeeze the blue the prompt asked for into grey.
    const full = Math.min(MAX_GAIN, Math.max(1 / MAX_GAIN, gain));
    t.gain[c] = c === 0 || limits === 'full' ? full : Math.min(MAX_CHROMA_GAIN, Math.max(1, gain));
  }
  if (limits === 'full') {
    for (let c = 0; c < 3; c++) t.toMean[c] = t.fromMean[c]! + shift[c]!;
    return t;
  }
  // A tint is small; a bigger measured shift is the ring showing other content (a red circle the model
  // did not continue), and moving new content by it is what turned a blue square purple.
  shift[0] = Math.max(-MAX_LIGHTNESS_SHIFT, Math.min(MAX_LIGHTNESS_SHIFT, shift[0]!));
  const tint = Math.hypot(shift[1]!, shift[2]!);
  if (tint > MAX_TINT) {
    shift[1]! *= MAX_TINT / tint;
    shift[2]! *= MAX_TINT / tint;
  }
  for (let c = 0; c < 3; c++) t.toMean[c] = t.fromMean[c]! + shift[c]!;
  return t;
}

/**
 * The ring pixels where generated and original show the same thing: the model may carry new content
 * (the red of a repainted shirt) past the mask into the ring, and those pixels would drag the match
 * towards the old colour. Compared on 8×8-block means, so a different instance of the same texture
 * still counts as the same; a block whose mean differs by more than SAME_CONTENT_DE (ΔE76) — more than
 * a VAE round trip shifts colours — is left out.
 */
function consistentRing(originalLab: Float32Array, generatedLab: Float32Array, ring: Uint8Array, width: number): Uint8Array {
  const B = 8;
  const height = Math.ceil(ring.length / width);
  const bw = Math.ceil(width / B);
  const blocks = bw * Math.ceil(height / B);
  const acc = new Float64Array(blocks * 4);
  const keep = new Uint8Array(ring.length);
  // Two passes over whole rows (block index computed per row and column, no per-pixel calls: this
  // runs once per image, mostly before the JIT has optimised anything).
  for (let pass = 0; pass < 2; pass++) {
    for (let y = 0; y < height; y++) {
      const rowBlock = Math.floor(y / B) * bw;
      const row = y * width;
      for (let x = 0; x < width && row + x < ring.length; x++) {
        const p = row + x;
        if (!ring[p]) continue;
        const b = (rowBlock + Math.floor(x / B)) * 4;
        if (pass === 0) {
          acc[b] = acc[b]! + 1;
          acc[b + 1] = acc[b + 1]! + generatedLab[p * 3]! - originalLab[p * 3]!;
          acc[b + 2] = acc[b + 2]! + generatedLab[p * 3 + 1]! - originalLab[p * 3 + 1]!;
          acc[b + 3] = acc[b + 3]! + generatedLab[p * 3 + 2]! - originalLab[p * 3 + 2]!;
        } else {
          const cnt = acc[b]!;
          const m0 = acc[b + 1]! / cnt;
          const m1 = acc[b + 2]! / cnt;
          const m2 = acc[b + 3]! / cnt;
          if (m0 * m0 + m1 * m1 + m2 * m2 <= SAME_CONTENT_DE * SAME_CONTENT_DE) keep[p] = 1;
        }
      }
    }
  }
  return keep;
}

/** Largest block-mean Lab difference still taken for a colour shift rather than new content. */
export const SAME_CONTENT_DE = 20;

/** Strength of the correction at `d` px inside the mask (0 = outside or on the edge). */
export function falloffStrength(d: number, f: ColorMatchFalloff = DEFAULT_FALLOFF): number {
  if (d <= f.fullPx) return 1;
  if (d >= f.fullPx + f.easePx) return f.interiorStrength;
  const t = (d - f.fullPx) / f.easePx;
  const s = t * t * (3 - 2 * t);
  return 1 + (f.interiorStrength - 1) * s;
}

/** Applies the transfer to generated Lab pixels in place, scaled per pixel by `strength(p)`. */
export function applyTransfer(lab: Float32Array, t: LabTransfer, strength: (p: number) => number): void {
  const n = lab.length / 3;
  for (let p = 0; p < n; p++) {
    const s = strength(p);
    if (s === 0) continue;
    for (let c = 0; c < 3; c++) {
      const v = lab[p * 3 + c]!;
      const corrected = (v - t.fromMean[c]!) * t.gain[c]! + t.toMean[c]!;
      lab[p * 3 + c] = v + s * (corrected - v);
    }
  }
}
