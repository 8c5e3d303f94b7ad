/** Shared bits of the scheduler tests (not shipped code). */
import { createRng, type Rng } from '../rng.js';

/** SD's alphā_t from the definition of scaled_linear, independent of noiseSchedule.ts. */
export function handAlphaBar(t: number, betaStart = 0.00085, betaEnd = 0.012, T = 1000): number {
  const a = Math.sqrt(betaStart);
  const b = Math.sqrt(betaEnd);
  let prod = 1;
  for (let i = 0; i <= t; i++) {
    const s = a + ((b - a) * i) / (T - 1);
    prod *= 1 - s * s;
  }
  return prod;
}

export function handSigma(t: number): number {
  const a = handAlphaBar(t);
  return Math.sqrt((1 - a) / a);
}

export const vec = (...v: number[]): Float32Array => Float32Array.from(v);

/** An Rng that must not be used (deterministic steps). */
export const noRng: Rng = {
  nextUint32: () => {
    throw new Error('rng used');
  },
  nextFloat: () => {
    throw new Error('rng used');
  },
  normal: () => {
    throw new Error('rng used');
  },
  fillNormal: () => {
    throw new Error('rng used');
  },
};

export function normals(seed: number, n: number): Float32Array {
  return createRng(seed).fillNormal(new Float32Array(n));
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new Error(`element ${i}: ${actual[i]} vs expected ${expected[i]} (tol ${tol})`);
    }
  }
}
