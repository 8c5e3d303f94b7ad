import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { parseSchedulerConfig } from './config.js';
import { createScheduler } from './index.js';
import { expectClose, handAlphaBar, handSigma, normals } from './schedulerChecks.testutil.js';
import type { Scheduler, SchedulerConfig, SchedulerName } from './types.js';

/**
 * End-to-end with a perfect model: given the noisy latents and the timestep it predicts exactly the
 * noise (or v) that separates them from a known x0. Every sampler must then return x0.
 * Uses integer-timestep spacings so the oracle can compute alphā(t) by hand.
 */
const x0 = normals(1, 64).map((v) => 0.5 * v);
const noise = normals(2, 64);

function oracle(config: SchedulerConfig, modelInput: Float32Array, t: number, sigmaOverride?: number): Float32Array {
  const a = sigmaOverride === undefined ? handAlphaBar(t) : 1 / (sigmaOverride * sigmaOverride + 1);
  const sa = Math.sqrt(a);
  const sb = Math.sqrt(1 - a);
  // Bring the input to VP form: Euler's scaled input already is x/sqrt(sigma^2+1) = sqrt(a)·x0 + sqrt(1-a)·eps.
  const eps = modelInput.map((x, i) => (x - sa * x0[i]) / sb);
  if (config.predictionType === 'v_prediction') return eps.map((e, i) => sa * e - sb * x0[i]);
  return eps;
}

/** DDIM without set_alpha_to_one stops at alphā_0, i.e. at the small noise level of t = 0, as diffusers. */
function expectedEnd(name: SchedulerName, config: SchedulerConfig): Float32Array {
  if (name !== 'ddim' || config.setAlphaToOne) return x0;
  const a0 = handAlphaBar(0);
  return x0.map((v, i) => Math.sqrt(a0) * v + Math.sqrt(1 - a0) * noise[i]);
}

function run(s: Scheduler, config: SchedulerConfig, start: number, latents: Float32Array): Float32Array {
  const rng = createRng(3);
  let x = latents;
  const sigmas = (s as unknown as { sigmas?: Float64Array }).sigmas;
  for (let i = start; i < s.timesteps.length; i++) {
    const input = s.scaleModelInput(x, i);
    // Karras sigmas are not the table values at their rounded timesteps, and Euler's linspace
    // timesteps are fractional: there the oracle takes the scheduler's own sigma.
    const exact = s.name !== 'dpmpp-2m-karras' && Number.isInteger(s.timesteps[i]);
    const override = sigmas && !exact ? sigmas[i] : undefined;
    x = s.step(oracle(config, input, s.timesteps[i], override), i, x, rng);
  }
  return x;
}

const CONFIGS: [string, SchedulerConfig][] = [
  ['epsilon, leading', parseSchedulerConfig({})],
  ['epsilon, linspace, alpha to one', parseSchedulerConfig({ timestep_spacing: 'linspace', set_alpha_to_one: true })],
  ['v-prediction, trailing', parseSchedulerConfig({ prediction_type: 'v_prediction', timestep_spacing: 'trailing' })],
];
const NAMES: SchedulerName[] = ['euler', 'euler-a', 'ddim', 'dpmpp-2m', 'dpmpp-2m-karras', 'lcm'];

describe('a perfect model recovers x0', () => {
  for (const [label, config] of CONFIGS) {
    for (const name of NAMES) {
      for (const steps of [4, 25]) {
        it(`${name}, ${label}, ${steps} steps, txt2img from addNoise(x0, eps, 0)`, () => {
          const s = createScheduler(name, config, steps);
          const out = run(s, config, 0, s.addNoise(x0, noise, 0));
          expectClose(out, expectedEnd(name, config), 2e-3);
        });
      }
      it(`${name}, ${label}, img2img at strength 0.6`, () => {
        const s = createScheduler(name, config, 10);
        const start = s.startIndexForStrength(0.6);
        expect(start).toBeGreaterThan(0);
        expect(start).toBeLessThan(s.timesteps.length);
        expectClose(run(s, config, start, s.addNoise(x0, noise, start)), expectedEnd(name, config), 2e-3);
      });
    }
  }

  it('euler start latents built by addNoise are x0 + sigma·eps (consistent with initNoiseSigma for linspace)', () => {
    const s = createScheduler('euler', parseSchedulerConfig({ timestep_spacing: 'trailing' }), 4);
    expectClose(s.addNoise(new Float32Array(3), Float32Array.from([1, 1, 1]), 0), [1, 1, 1].map(() => handSigma(999)), 1e-5);
    expect(s.initNoiseSigma).toBeCloseTo(handSigma(999), 9);
  });
});
