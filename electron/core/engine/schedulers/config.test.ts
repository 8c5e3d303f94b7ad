import { describe, expect, it } from 'vitest';
import { EngineError } from '../types.js';
import { parseSchedulerConfig } from './config.js';
import { createScheduler } from './index.js';

describe('parseSchedulerConfig', () => {
  it('fills SD 1.x defaults for a missing file or missing keys', () => {
    const expected = {
      numTrainTimesteps: 1000, betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear', stepsOffset: 1,
      timestepSpacing: 'leading', timestepSpacingDeclared: false, predictionType: 'epsilon', setAlphaToOne: false, clipSample: false,
    };
    expect(parseSchedulerConfig(undefined)).toEqual(expected);
    expect(parseSchedulerConfig({ _class_name: 'PNDMScheduler', skip_prk_steps: true, trained_betas: null })).toEqual(expected);
  });

  it('reads an SD 2.1 (768, v-prediction) config', () => {
    const c = parseSchedulerConfig({
      _class_name: 'DDIMScheduler', _diffusers_version: '0.8.0', beta_end: 0.012, beta_schedule: 'scaled_linear',
      beta_start: 0.00085, clip_sample: false, num_train_timesteps: 1000, prediction_type: 'v_prediction',
      set_alpha_to_one: false, skip_prk_steps: true, steps_offset: 1, trained_betas: null,
    });
    expect(c.predictionType).toBe('v_prediction');
    expect(c.timestepSpacing).toBe('leading');
  });

  it('reads an SDXL-Turbo / LCM style config', () => {
    const c = parseSchedulerConfig({
      _class_name: 'EulerAncestralDiscreteScheduler', timestep_spacing: 'trailing', steps_offset: 1,
      original_inference_steps: 50, timestep_scaling: 10, clip_sample_range: 1.5, interpolation_type: 'linear',
    });
    expect(c.timestepSpacing).toBe('trailing');
    expect(c.originalInferenceSteps).toBe(50);
    expect(c.timestepScaling).toBe(10);
    expect(c.clipSampleRange).toBe(1.5);
  });

  it('rejects unusable values with a one-line EngineError naming the key', () => {
    const bad: [unknown, RegExp][] = [
      [[1, 2], /JSON object/],
      [{ beta_schedule: 'sigmoid' }, /beta_schedule "sigmoid"/],
      [{ timestep_spacing: 'random' }, /timestep_spacing/],
      [{ prediction_type: 'flow' }, /prediction_type/],
      [{ num_train_timesteps: 0 }, /num_train_timesteps/],
      [{ beta_start: 'x' }, /beta_start/],
      [{ clip_sample: 'yes' }, /clip_sample/],
      [{ steps_offset: 2000 }, /steps_offset/],
      [{ num_train_timesteps: 4, trained_betas: [0.1, 0.2] }, /trained_betas/],
    ];
    for (const [json, message] of bad) {
      let error: unknown;
      try {
        parseSchedulerConfig(json);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(EngineError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('createScheduler', () => {
  it('rejects an unknown name and bad step counts in one line', () => {
    const config = parseSchedulerConfig({});
    expect(() => createScheduler('heun' as never, config, 10)).toThrow(/unknown scheduler "heun"/);
    for (const name of ['euler', 'euler-a', 'ddim', 'dpmpp-2m', 'dpmpp-2m-karras', 'lcm'] as const) {
      expect(() => createScheduler(name, config, 0)).toThrow(EngineError);
      expect(() => createScheduler(name, config, 2.5)).toThrow(/steps must be a positive integer/);
    }
  });
});
