import { describe, expect, it } from 'vitest';
import { parseSchedulerConfig } from './config.js';
import {
  computeAlphasCumprod,
  computeBetas,
  interpTable,
  roundHalfEven,
  sigmasFromAlphasCumprod,
  spacedTimesteps,
  startIndexForStrength,
} from './noiseSchedule.js';

const sd1 = parseSchedulerConfig({});

/** alphā_t of SD's scaled_linear schedule, written out from its definition. */
function handAlphaBar(t: number): number {
  const a = Math.sqrt(0.00085);
  const b = Math.sqrt(0.012);
  let prod = 1;
  for (let i = 0; i <= t; i++) {
    const sqrtBeta = a + ((b - a) * i) / 999;
    prod *= 1 - sqrtBeta * sqrtBeta;
  }
  return prod;
}

describe('SD scaled_linear tables', () => {
  const ac = computeAlphasCumprod(sd1);
  const sigmas = sigmasFromAlphasCumprod(ac);

  it('starts at beta_0 = 0.00085 and ends at beta_999 = 0.012', () => {
    const betas = computeBetas(sd1);
    expect(betas[0]).toBeCloseTo(0.00085, 15);
    expect(betas[999]).toBeCloseTo(0.012, 15);
    expect(ac[0]).toBeCloseTo(0.99915, 15);
  });

  it('matches the closed form and the well-known sigma_min / sigma_max of SD', () => {
    for (const t of [0, 1, 250, 500, 981, 999]) expect(ac[t]).toBeCloseTo(handAlphaBar(t), 12);
    expect(sigmas[999]).toBeCloseTo(14.6146, 3);
    expect(sigmas[0]).toBeCloseTo(0.0292, 4);
    expect(sigmas[500]).toBeCloseTo(Math.sqrt((1 - handAlphaBar(500)) / handAlphaBar(500)), 12);
  });

  it('interpolates sigmas linearly between integer timesteps and clamps outside', () => {
    expect(interpTable(sigmas, 832.5)).toBeCloseTo((sigmas[832] + sigmas[833]) / 2, 12);
    expect(interpTable(sigmas, 1000)).toBe(sigmas[999]);
    expect(interpTable(sigmas, -3)).toBe(sigmas[0]);
  });
});

describe('other beta schedules', () => {
  it('linear: evenly spaced betas', () => {
    const betas = computeBetas(parseSchedulerConfig({ beta_schedule: 'linear', beta_start: 0.0001, beta_end: 0.02 }));
    expect(betas[0]).toBeCloseTo(0.0001, 15);
    expect(betas[999]).toBeCloseTo(0.02, 15);
    expect(betas[1] - betas[0]).toBeCloseTo((0.02 - 0.0001) / 999, 15);
  });

  it('squaredcos_cap_v2: 1 - alpha_bar(t+1)/alpha_bar(t) with the Glide cosine, capped at 0.999', () => {
    const betas = computeBetas(parseSchedulerConfig({ beta_schedule: 'squaredcos_cap_v2' }));
    const f = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    expect(betas[0]).toBeCloseTo(1 - f(0.001) / f(0), 15);
    expect(betas[500]).toBeCloseTo(1 - f(0.501) / f(0.5), 15);
    expect(betas[999]).toBe(0.999);
  });

  it('trained_betas override the schedule', () => {
    const trained = Array.from({ length: 10 }, (_, i) => 0.01 * (i + 1));
    const ac = computeAlphasCumprod(parseSchedulerConfig({ num_train_timesteps: 10, trained_betas: trained }));
    expect(ac[1]).toBeCloseTo(0.99 * 0.98, 15);
  });
});

describe('timestep spacing (T = 1000)', () => {
  it('leading, 50 steps, offset 1: 981, 961, ..., 1', () => {
    const ts = spacedTimesteps('leading', 50, 1000, 1, true);
    expect(ts).toHaveLength(50);
    expect(ts.slice(0, 3)).toEqual([981, 961, 941]);
    expect(ts.at(-1)).toBe(1);
  });
  it('trailing, 4 steps: 999, 749, 499, 249', () => {
    expect(spacedTimesteps('trailing', 4, 1000, 1, true)).toEqual([999, 749, 499, 249]);
  });
  it('trailing rounds halves to even like numpy: 16 steps has 812.5 -> 812 -> 811', () => {
    const ts = spacedTimesteps('trailing', 16, 1000, 0, true);
    expect(ts.slice(0, 4)).toEqual([999, 937, 874, 811]); // 1000, 937.5->938, 875, 812.5->812, minus 1
  });
  it('trailing yields exactly N steps where numpy arange would add a bogus one (61 steps)', () => {
    const ts = spacedTimesteps('trailing', 61, 1000, 0, true);
    expect(ts).toHaveLength(61);
    expect(Math.min(...ts)).toBeGreaterThanOrEqual(0);
  });
  it('linspace, 4 steps: 999, 666, 333, 0; euler keeps floats (7 steps has 832.5)', () => {
    expect(spacedTimesteps('linspace', 4, 1000, 1, true)).toEqual([999, 666, 333, 0]);
    expect(spacedTimesteps('linspace', 7, 1000, 1, false)).toEqual([999, 832.5, 666, 499.5, 333, 166.5, 0]);
    expect(spacedTimesteps('linspace', 7, 1000, 1, true)).toEqual([999, 832, 666, 500, 333, 166, 0]);
  });
});

describe('numpy rounding and img2img start', () => {
  it('roundHalfEven', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 832.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 832, 2, 3]);
  });
  it('startIndexForStrength = N - floor(N*s), clamped', () => {
    expect(startIndexForStrength(50, 0.75)).toBe(13); // floor(37.5) = 37 steps run
    expect(startIndexForStrength(50, 1)).toBe(0);
    expect(startIndexForStrength(50, 0)).toBe(50);
    expect(startIndexForStrength(10, 0.7)).toBe(3); // 10*0.7 = 7.000000000000001 -> 7, as Python int()
    expect(startIndexForStrength(100, 0.29)).toBe(72); // 28.999999999999996 -> 28, as Python int()
    expect(startIndexForStrength(20, 1.5)).toBe(0);
    expect(startIndexForStrength(20, -1)).toBe(20);
  });
});

describe('rescale_betas_zero_snr', () => {
  const config = parseSchedulerConfig({ rescale_betas_zero_snr: true });

  it('keeps alphā_0, ends at exactly zero SNR, and maps sqrt(alphā) linearly', () => {
    const ac = computeAlphasCumprod(config);
    const orig = computeAlphasCumprod(parseSchedulerConfig({}));
    expect(ac[0]).toBeCloseTo(0.99915, 12);
    expect(ac[999]).toBeCloseTo(0, 15);
    const [s0, sT] = [Math.sqrt(orig[0]), Math.sqrt(orig[999])];
    for (const t of [1, 400, 900]) {
      expect(Math.sqrt(ac[t])).toBeCloseTo(((Math.sqrt(orig[t]) - sT) * s0) / (s0 - sT), 10);
    }
  });

  it('sigma-based schedulers see alphā_T = 2^-24, i.e. sigma_max ≈ 4096', () => {
    const sig = sigmasFromAlphasCumprod(computeAlphasCumprod(config, true));
    expect(sig[999]).toBeCloseTo(Math.sqrt((1 - 2 ** -24) / 2 ** -24), 6);
    expect(Number.isFinite(sig[999])).toBe(true);
  });
});
