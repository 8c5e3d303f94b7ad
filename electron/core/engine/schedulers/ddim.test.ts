import { describe, expect, it } from 'vitest';
import { parseSchedulerConfig } from './config.js';
import { createScheduler } from './index.js';
import { expectClose, handAlphaBar, noRng, vec } from './schedulerChecks.testutil.js';

const sd1 = parseSchedulerConfig({});

describe('ddim (eta 0)', () => {
  it('timesteps: leading + offset, trailing, linspace', () => {
    expect(createScheduler('ddim', sd1, 4).timesteps).toEqual([751, 501, 251, 1]);
    expect(createScheduler('ddim', parseSchedulerConfig({ timestep_spacing: 'trailing' }), 4).timesteps).toEqual([999, 749, 499, 249]);
    expect(createScheduler('ddim', parseSchedulerConfig({ timestep_spacing: 'linspace' }), 4).timesteps).toEqual([999, 666, 333, 0]);
    expect(createScheduler('ddim', sd1, 4).initNoiseSigma).toBe(1);
  });

  it('one step: x0 = (x - sqrt(1-a)·eps)/sqrt(a); x_prev = sqrt(a_prev)·x0 + sqrt(1-a_prev)·eps', () => {
    const s = createScheduler('ddim', sd1, 4);
    const x = vec(0.8, -1.2, 0.1);
    const eps = vec(0.5, -0.25, 1);
    const a = handAlphaBar(501);
    const ap = handAlphaBar(251);
    const expected = [0, 1, 2].map((i) => {
      const x0 = (x[i] - Math.sqrt(1 - a) * eps[i]) / Math.sqrt(a);
      return Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * eps[i];
    });
    expectClose(s.step(eps, 1, x, noRng), expected, 1e-6);
    expectClose(s.scaleModelInput(x, 1), x, 0);
  });

  it('last step uses alphā_0 (set_alpha_to_one false) or 1 (true)', () => {
    const x = vec(0.8);
    const eps = vec(0.5);
    const a = handAlphaBar(1);
    const x0 = (0.8 - Math.sqrt(1 - a) * 0.5) / Math.sqrt(a);
    const a0 = handAlphaBar(0);
    expectClose(createScheduler('ddim', sd1, 4).step(eps, 3, x, noRng), [Math.sqrt(a0) * x0 + Math.sqrt(1 - a0) * 0.5], 1e-6);
    const one = createScheduler('ddim', parseSchedulerConfig({ set_alpha_to_one: true }), 4);
    expectClose(one.step(eps, 3, x, noRng), [x0], 1e-6);
  });

  it('v-prediction and clip_sample', () => {
    const s = createScheduler('ddim', parseSchedulerConfig({ prediction_type: 'v_prediction', clip_sample: true }), 4);
    const x = vec(3, 0.2);
    const v = vec(-1, 0.1);
    const a = handAlphaBar(751);
    const ap = handAlphaBar(501);
    const expected = [0, 1].map((i) => {
      const x0 = Math.min(Math.max(Math.sqrt(a) * x[i] - Math.sqrt(1 - a) * v[i], -1), 1);
      const e = Math.sqrt(a) * v[i] + Math.sqrt(1 - a) * x[i];
      return Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * e;
    });
    expectClose(s.step(v, 0, x, noRng), expected, 1e-6);
  });

  it('addNoise: sqrt(a_t)·x0 + sqrt(1-a_t)·noise at the step timestep; i = N gives the original', () => {
    const s = createScheduler('ddim', sd1, 4);
    const a = handAlphaBar(251);
    expectClose(s.addNoise(vec(1), vec(2), 2), [Math.sqrt(a) + 2 * Math.sqrt(1 - a)], 1e-6);
    const orig = vec(1);
    expect(s.addNoise(orig, vec(2), 4)).toBe(orig);
  });
});
