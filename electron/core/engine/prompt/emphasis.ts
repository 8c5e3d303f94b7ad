/**
 * A1111's "Original" emphasis (modules/sd_emphasis.py): each token's hidden state is multiplied by its
 * weight, then the whole chunk is rescaled so the mean over all its values is what it was before, so
 * weighting shifts attention between tokens without changing the overall magnitude.
 */
export function applyEmphasis(hidden: Float32Array, weights: readonly number[], width: number): Float32Array {
  if (weights.every((w) => w === 1)) return hidden;
  if (hidden.length !== weights.length * width) throw new Error(`emphasis: ${weights.length} weights for ${hidden.length / width} tokens`);
  let before = 0;
  for (let i = 0; i < hidden.length; i++) before += hidden[i]!;
  const out = new Float32Array(hidden.length);
  let after = 0;
  for (let t = 0; t < weights.length; t++) {
    const w = weights[t]!;
    for (let k = t * width; k < (t + 1) * width; k++) {
      out[k] = hidden[k]! * w;
      after += out[k]!;
    }
  }
  // A mean of exactly zero after weighting cannot be rescaled; leave the weighted values as they are.
  const scale = after === 0 ? 1 : before / after;
  if (scale !== 1) for (let k = 0; k < out.length; k++) out[k] = out[k]! * scale;
  return out;
}
