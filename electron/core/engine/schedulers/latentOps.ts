/** Element-wise helpers on latents; each returns a fresh array and leaves its inputs alone. */

export function checkSameLength(a: Float32Array, b: Float32Array, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: length ${a.length} differs from ${b.length}`);
}

/** out = a*x + b*y */
export function axpby(a: number, x: Float32Array, b: number, y: Float32Array): Float32Array {
  checkSameLength(x, y, 'axpby');
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = a * x[i] + b * y[i];
  return out;
}

export function scale(x: Float32Array, s: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * s;
  return out;
}

