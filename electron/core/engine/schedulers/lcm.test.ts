import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { EngineError } from '../types.js';
import { parseSchedulerConfig } from './config.js';
import { createScheduler, guidanceScaleEmbedding, lcmBoundaryScalings } from './index.js';
import { expectClose, handAlphaBar, noRng, vec } from './schedulerChecks.testutil.js';

const lcmConfig = parseSchedulerConfig({ set_alpha_to_one: true, steps_offset: 1, original_inference_steps: 50 });

describe('lcm', () => {
  it('picks timesteps from the 50-step grid 19, 39, ..., 999', () => {
    expect(createScheduler('lcm', lcmConfig, 4).timesteps).toEqual([999, 759, 499, 259]);
    expect(createScheduler('lcm', lcmConfig, 1).timesteps).toEqual([999]);
    // floor(linspace(0, 50, 8, endpoint=False)) = 0 6 12 18 25 31 37 43 -> (50 - i)·20 - 1
    expect(createScheduler('lcm', lcmConfig, 8).timesteps).toEqual([999, 879, 759, 639, 499, 379, 259, 139]);
    expect(createScheduler('lcm', lcmConfig, 50).timesteps.at(-1)).toBe(19);
  });

  it('refuses more steps than the grid has, in one line', () => {
    expect(() => createScheduler('lcm', lcmConfig, 51)).toThrow(EngineError);
    expect(() => createScheduler('lcm', lcmConfig, 51)).toThrow(/at most 50 steps/);
    expect(() => createScheduler('lcm', lcmConfig, 20, { strength: 0.2 })).toThrow(/strength >= 0.40/);
  });

  it('boundary scalings: c_skip = 0.25/((10t)^2 + 0.25), c_out = 10t/sqrt((10t)^2 + 0.25)', () => {
    const { cSkip, cOut } = lcmBoundaryScalings(19);
    expect(cSkip).toBeCloseTo(0.25 / (190 ** 2 + 0.25), 15);
    expect(cOut).toBeCloseTo(190 / Math.sqrt(190 ** 2 + 0.25), 15);
    expect(lcmBoundaryScalings(0)).toEqual({ cSkip: 1, cOut: 0 });
  });

  it('one middle step: consistency estimate re-noised to the next timestep with rng noise', () => {
    const s = createScheduler('lcm', lcmConfig, 4);
    const x = vec(0.9, -0.3);
    const eps = vec(0.5, 0.1);
    const a = handAlphaBar(759);
    const ap = handAlphaBar(499);
    const { cSkip, cOut } = { cSkip: 0.25 / (7590 ** 2 + 0.25), cOut: 7590 / Math.sqrt(7590 ** 2 + 0.25) };
    const noise = createRng(11).fillNormal(new Float32Array(2));
    const expected = [0, 1].map((i) => {
      const x0 = (x[i] - Math.sqrt(1 - a) * eps[i]) / Math.sqrt(a);
      const den = cOut * x0 + cSkip * x[i];
      return Math.sqrt(ap) * den + Math.sqrt(1 - ap) * noise[i];
    });
    expectClose(s.step(eps, 1, x, createRng(11)), expected, 1e-5);
  });

  it('the last step returns the denoised estimate without noise', () => {
    const s = createScheduler('lcm', lcmConfig, 4);
    const a = handAlphaBar(259);
    const x0 = (0.9 - Math.sqrt(1 - a) * 0.5) / Math.sqrt(a);
    const cSkip = 0.25 / (2590 ** 2 + 0.25);
    const cOut = 2590 / Math.sqrt(2590 ** 2 + 0.25);
    expectClose(s.step(vec(0.5), 3, vec(0.9), noRng), [cOut * x0 + cSkip * 0.9], 1e-6);
  });

  it('startIndexForStrength skips the steps above the grid kept at that strength', () => {
    const s = createScheduler('lcm', lcmConfig, 4); // 999 759 499 259
    expect(s.startIndexForStrength(1)).toBe(0);
    expect(s.startIndexForStrength(0.5)).toBe(2); // top of grid: 25·20 - 1 = 499
    expect(s.startIndexForStrength(0.01)).toBe(4);
  });
});

describe('guidanceScaleEmbedding', () => {
  it('is sin then cos of w·1000 over geometric frequencies', () => {
    const e = guidanceScaleEmbedding(7.5 - 1, 8);
    const freq = (i: number): number => Math.exp((-Math.log(10000) / 3) * i);
    expectClose(e, [0, 1, 2, 3].map((i) => Math.sin(6500 * freq(i))).concat([0, 1, 2, 3].map((i) => Math.cos(6500 * freq(i)))), 1e-6);
    expectClose(guidanceScaleEmbedding(0, 4), [0, 0, 1, 1], 0);
    expect(guidanceScaleEmbedding(1, 5)[4]).toBe(0);
  });
});
