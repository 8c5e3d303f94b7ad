import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Rng } from '../rng.js';
import { createScheduler, parseSchedulerConfig } from './index.js';
import type { SchedulerName } from './types.js';

/**
 * Whole sampling runs against fixtures/diffusersReference.json, written by
 * fixtures/diffusers_reference.py: a separate NumPy transcription of diffusers' schedulers driven
 * by the same fake model and fake noise as below.
 */
interface Case {
  config: string;
  scheduler: SchedulerName;
  steps: number;
  timesteps: number[];
  sigmas?: number[];
  init: number;
  final: number[];
}
const ref = JSON.parse(readFileSync(new URL('./fixtures/diffusersReference.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  lcmStrength: { steps: number; strength: number; timesteps: number[] }[];
};

const SD1 = {
  num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear',
  steps_offset: 1, timestep_spacing: 'leading', prediction_type: 'epsilon', set_alpha_to_one: false, clip_sample: false,
};
const CONFIGS: Record<string, object> = {
  'sd1-leading': SD1,
  linspace: { ...SD1, timestep_spacing: 'linspace' },
  'trailing-v': { ...SD1, timestep_spacing: 'trailing', prediction_type: 'v_prediction' },
  'linear-cosine-clip': { ...SD1, beta_schedule: 'squaredcos_cap_v2', clip_sample: true, set_alpha_to_one: true },
  'zero-snr-v': { ...SD1, timestep_spacing: 'trailing', prediction_type: 'v_prediction', rescale_betas_zero_snr: true },
};

const N = 8;
const fakeModel = (x: Float32Array, t: number): Float32Array => x.map((v, i) => 0.3 * v + 0.1 * Math.cos(0.01 * t + i));

/** An Rng whose k-th fillNormal call yields sin(1.7 j + 0.3 k + 0.1), as the Python side. */
function fakeRng(): Rng {
  let call = 0;
  return {
    nextUint32: () => 0,
    nextFloat: () => 0,
    normal: () => 0,
    fillNormal(out: Float32Array) {
      for (let j = 0; j < out.length; j++) out[j] = Math.sin(1.7 * j + 0.3 * call + 0.1);
      call++;
      return out;
    },
  };
}

function closeTo(actual: ArrayLike<number>, expected: number[], relTol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = relTol * Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new Error(`element ${i}: ${actual[i]} vs expected ${expected[i]} (tol ${tol})`);
    }
  }
}

describe('schedulers against a NumPy transcription of diffusers', () => {
  it.each(ref.cases.map((c) => [`${c.scheduler} ${c.config} ${c.steps} steps`, c] as const))('%s', (_label, c) => {
    const s = createScheduler(c.scheduler, parseSchedulerConfig(CONFIGS[c.config]), c.steps);
    expect([...s.timesteps]).toEqual(c.timesteps);
    expect(s.initNoiseSigma).toBeCloseTo(c.init, 9);
    if (c.sigmas) closeTo((s as unknown as { sigmas: Float64Array }).sigmas, c.sigmas, 1e-9);
    const rng = fakeRng();
    let x: Float32Array = new Float32Array(N).map((_, i) => 1.3 * Math.cos(2.3 * i + 0.7) * s.initNoiseSigma);
    s.timesteps.forEach((t, i) => {
      const output = fakeModel(s.scaleModelInput(x, i), t);
      const before = output.slice();
      x = s.step(output, i, x, rng);
      expect(output).toEqual(before); // step must not mutate the model output
    });
    closeTo(x, c.final, 2e-5);
  });

  it.each(ref.lcmStrength)('lcm img2img schedule: $steps steps at strength $strength', ({ steps, strength, timesteps }) => {
    const s = createScheduler('lcm', parseSchedulerConfig(SD1), steps, { strength });
    expect([...s.timesteps]).toEqual(timesteps);
    expect(s.startIndexForStrength(strength)).toBe(0);
  });
});
