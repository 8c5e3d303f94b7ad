import { describe, expect, it } from 'vitest';
import { parseSchedulerConfig } from './config.js';
import { sigmaToT } from './dpmSolverMultistep.js';
import { createScheduler } from './index.js';
import { expectClose, handAlphaBar, handSigma, noRng, vec } from './schedulerChecks.testutil.js';

// Leading spacing named explicitly: without it each class uses its own default (classDefaults.test.ts).
const sd1 = parseSchedulerConfig({ timestep_spacing: 'leading' });

/** VP coefficients of a sigma and log-SNR lambda. */
function vp(sigma: number): { a: number; s: number; l: number } {
  const a = 1 / Math.sqrt(sigma * sigma + 1);
  return { a, s: sigma * a, l: Math.log(a) - Math.log(sigma * a) };
}

describe('dpmpp-2m', () => {
  it('timesteps: linspace / leading over N+1 points, last dropped', () => {
    // linspace(0, 999, 5) = 0, 249.75, 499.5, 749.25, 999 -> rounded half-even, reversed, last dropped
    expect(createScheduler('dpmpp-2m', parseSchedulerConfig({ timestep_spacing: 'linspace' }), 4).timesteps).toEqual([999, 749, 500, 250]);
    // leading: 1000 // 5 = 200 -> 800, 600, 400, 200 (+1)
    expect(createScheduler('dpmpp-2m', sd1, 4).timesteps).toEqual([801, 601, 401, 201]);
    expect(createScheduler('dpmpp-2m', parseSchedulerConfig({ timestep_spacing: 'trailing' }), 4).timesteps).toEqual([999, 749, 499, 249]);
  });

  it('first step is first order: (s_t/s_s)·x - a_t(e^-h - 1)·x0', () => {
    const s = createScheduler('dpmpp-2m', sd1, 4);
    const x = vec(1.5, -0.5);
    const eps = vec(0.2, 0.9);
    const S = vp(handSigma(801));
    const T = vp(handSigma(601));
    const h = T.l - S.l;
    const expected = [0, 1].map((i) => {
      const x0 = (x[i] - S.s * eps[i]) / S.a;
      return (T.s / S.s) * x[i] - T.a * (Math.exp(-h) - 1) * x0;
    });
    expectClose(s.step(eps, 0, x, noRng), expected, 1e-6);
  });

  it('second step is the 2M midpoint update using the previous x0', () => {
    const s = createScheduler('dpmpp-2m', sd1, 4);
    const xA = vec(1.5, -0.5);
    const epsA = vec(0.2, 0.9);
    const xB = s.step(epsA, 0, xA, noRng);
    const epsB = vec(-0.4, 0.3);
    const [P, S, T] = [vp(handSigma(801)), vp(handSigma(601)), vp(handSigma(401))];
    const h = T.l - S.l;
    const r0 = (S.l - P.l) / h;
    const expected = [0, 1].map((i) => {
      const m1 = (xA[i] - P.s * epsA[i]) / P.a;
      const m0 = (xB[i] - S.s * epsB[i]) / S.a;
      const d1 = (m0 - m1) / r0;
      return (T.s / S.s) * xB[i] - T.a * (Math.exp(-h) - 1) * m0 - 0.5 * T.a * (Math.exp(-h) - 1) * d1;
    });
    expectClose(s.step(epsB, 1, xB, noRng), expected, 1e-5);
  });

  it('last step returns the data prediction (final sigma 0); a restart at step 0 forgets history', () => {
    const s = createScheduler('dpmpp-2m', sd1, 2);
    const x = vec(0.7);
    const eps = vec(0.1);
    const first = s.step(eps, 0, x, noRng);
    const again = s.step(eps, 0, x, noRng);
    expectClose(again, first, 0);
    const S = vp(handSigma(s.timesteps[1]));
    expectClose(s.step(eps, 1, x, noRng), [(0.7 - S.s * 0.1) / S.a], 1e-6);
  });

  it('addNoise in VP form: x0/sqrt(sigma^2+1) + noise·sigma/sqrt(sigma^2+1)', () => {
    const s = createScheduler('dpmpp-2m', sd1, 4);
    const a = handAlphaBar(401);
    // 1/sqrt(sigma^2+1) = sqrt(alphā) for an integer timestep
    expectClose(s.addNoise(vec(1), vec(2), 2), [Math.sqrt(a) + 2 * Math.sqrt(1 - a)], 1e-6);
  });
});

describe('dpmpp-2m-karras', () => {
  it('sigmas follow Karras rho = 7 between SD sigma_max and sigma_min; timesteps from log-sigma', () => {
    const n = 20;
    const s = createScheduler('dpmpp-2m-karras', sd1, n) as unknown as { sigmas: Float64Array; timesteps: number[] };
    const max = handSigma(999);
    const min = handSigma(0);
    const karras = (i: number): number => (max ** (1 / 7) + (i / (n - 1)) * (min ** (1 / 7) - max ** (1 / 7))) ** 7;
    expect(s.sigmas[0]).toBeCloseTo(14.6146, 3);
    expect(s.sigmas[19]).toBeCloseTo(0.0292, 4);
    for (const i of [0, 5, 10, 19]) expect(s.sigmas[i]).toBeCloseTo(karras(i), 9);
    expect(s.sigmas[20]).toBe(0);
    expect(s.timesteps[0]).toBe(999);
    expect(s.timesteps[19]).toBe(0);
    // The timestep of sigma_i is the table entry nearest to it (within one step of the table).
    const t = s.timesteps[10];
    expect(Math.abs(handSigma(t) - s.sigmas[10]) / s.sigmas[10]).toBeLessThan(0.01);
  });

  it('sigmaToT inverts the sigma table, interpolating in log sigma', () => {
    const logSigmas = Float64Array.from({ length: 1000 }, (_, t) => Math.log(handSigma(t)));
    expect(sigmaToT(handSigma(500), logSigmas)).toBeCloseTo(500, 9);
    const mid = Math.exp((Math.log(handSigma(500)) + Math.log(handSigma(501))) / 2);
    expect(sigmaToT(mid, logSigmas)).toBeCloseTo(500.5, 9);
    expect(sigmaToT(100, logSigmas)).toBe(999);
    expect(sigmaToT(1e-6, logSigmas)).toBe(0);
  });
});
