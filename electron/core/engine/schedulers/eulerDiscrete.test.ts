import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { parseSchedulerConfig } from './config.js';
import { createScheduler } from './index.js';
import { expectClose, handSigma, noRng, vec } from './schedulerChecks.testutil.js';

// Leading spacing named explicitly: without it each class uses its own default (classDefaults.test.ts).
const sd1 = parseSchedulerConfig({ timestep_spacing: 'leading' });

describe('euler', () => {
  it('leading 50 steps: timesteps 981..1, init sigma sqrt(sigma(981)^2 + 1)', () => {
    const s = createScheduler('euler', sd1, 50);
    expect(s.timesteps[0]).toBe(981);
    expect(s.timesteps[49]).toBe(1);
    expect(s.initNoiseSigma).toBeCloseTo(Math.sqrt(handSigma(981) ** 2 + 1), 10);
  });

  it('linspace: init sigma is sigma_max = 14.6146', () => {
    const s = createScheduler('euler', parseSchedulerConfig({ timestep_spacing: 'linspace' }), 30);
    expect(s.timesteps[0]).toBe(999);
    expect(s.initNoiseSigma).toBeCloseTo(14.6146, 3);
  });

  it('scales the model input by 1/sqrt(sigma^2 + 1)', () => {
    const s = createScheduler('euler', sd1, 4); // 751, 501, 251, 1
    const x = vec(1, -2, 3);
    const k = 1 / Math.sqrt(handSigma(501) ** 2 + 1);
    expectClose(s.scaleModelInput(x, 1), [k, -2 * k, 3 * k], 1e-6);
    expectClose(x, [1, -2, 3], 0);
  });

  it('one step: x0 = x - sigma·eps, x + (sigma_next - sigma)(x - x0)/sigma', () => {
    const s = createScheduler('euler', sd1, 4);
    const x = vec(2, -1, 0.5);
    const eps = vec(0.3, -0.2, 0.1);
    const [s1, s2] = [handSigma(501), handSigma(251)];
    const expected = [0, 1, 2].map((i) => {
      const x0 = x[i] - s1 * eps[i];
      return x[i] + (s2 - s1) * ((x[i] - x0) / s1);
    });
    expectClose(s.step(eps, 1, x, noRng), expected, 1e-6);
    // The last step goes to sigma 0, i.e. returns x0.
    const last = s.step(eps, 3, x, noRng);
    expectClose(last, [0, 1, 2].map((i) => x[i] - handSigma(1) * eps[i]), 1e-6);
  });

  it('v-prediction: x0 = -sigma/sqrt(sigma^2+1)·v + x/(sigma^2+1)', () => {
    const s = createScheduler('euler', parseSchedulerConfig({ prediction_type: 'v_prediction', timestep_spacing: 'leading' }), 4);
    const x = vec(2, -1);
    const v = vec(0.4, 0.7);
    const sg = handSigma(751);
    const next = handSigma(501);
    const expected = [0, 1].map((i) => {
      const x0 = (-sg / Math.sqrt(sg * sg + 1)) * v[i] + x[i] / (sg * sg + 1);
      return x[i] + (next - sg) * ((x[i] - x0) / sg);
    });
    expectClose(s.step(v, 0, x, noRng), expected, 1e-5);
  });

  it('addNoise: original + sigma_i·noise; at i = N returns the original', () => {
    const s = createScheduler('euler', sd1, 4);
    const x0 = vec(0.5, -0.5);
    const n = vec(1, 2);
    expectClose(s.addNoise(x0, n, 2), [0.5 + handSigma(251), -0.5 + 2 * handSigma(251)], 1e-5);
    expect(s.addNoise(x0, n, 4)).toBe(x0);
  });
});

describe('euler-a', () => {
  it('one step: deterministic move to sigma_down plus sigma_up · rng noise', () => {
    const s = createScheduler('euler-a', sd1, 4);
    const x = vec(2, -1, 0.5, 0.25);
    const eps = vec(0.3, -0.2, 0.1, 0);
    const [sg, to] = [handSigma(751), handSigma(501)];
    const up = Math.sqrt((to * to * (sg * sg - to * to)) / (sg * sg));
    const down = Math.sqrt(to * to - up * up);
    const noise = createRng(5).fillNormal(new Float32Array(4));
    const expected = [0, 1, 2, 3].map((i) => {
      const x0 = x[i] - sg * eps[i];
      return x[i] + ((x[i] - x0) / sg) * (down - sg) + noise[i] * up;
    });
    expectClose(s.step(eps, 0, x, createRng(5)), expected, 1e-5);
  });

  it('the last step adds no noise and lands on x0', () => {
    const s = createScheduler('euler-a', sd1, 4);
    const x = vec(2, -1);
    const eps = vec(0.3, -0.2);
    expectClose(s.step(eps, 3, x, noRng), [2 - handSigma(1) * 0.3, -1 + handSigma(1) * 0.2], 1e-6);
  });
});
