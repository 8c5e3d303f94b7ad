import { describe, expect, it } from 'vitest';
import { createScheduler, parseSchedulerConfig } from './index.js';

// SD 1.5 folders ship a PNDMScheduler config without `timestep_spacing`; diffusers then applies the
// chosen class's default. Euler linspace: linspace(0, 999, 4) reversed = 999, 666, 333, 0; DPM++
// linspace: linspace(0, 999, 5).round() reversed, last dropped = 999, 749, 500, 250 (numpy rounds 499.5
// to even); DDIM leading, 4 steps, offset 1: (0..3)·250 reversed + 1 = 751, 501, 251, 1.
const PNDM_SD15 = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', num_train_timesteps: 1000, steps_offset: 1 };

describe('timestep spacing when the config names none', () => {
  it('uses linspace for Euler and DPM++, leading for DDIM', () => {
    const cfg = parseSchedulerConfig(PNDM_SD15);
    expect(createScheduler('euler', cfg, 4).timesteps.map(Math.round)).toEqual([999, 666, 333, 0]);
    expect(createScheduler('dpmpp-2m', cfg, 4).timesteps).toEqual([999, 749, 500, 250]);
    expect(createScheduler('ddim', cfg, 4).timesteps).toEqual([751, 501, 251, 1]);
  });

  it('keeps a declared spacing for every scheduler', () => {
    const cfg = parseSchedulerConfig({ ...PNDM_SD15, timestep_spacing: 'trailing' });
    expect(createScheduler('euler', cfg, 4).timesteps.map(Math.round)).toEqual([999, 749, 499, 249]);
    expect(createScheduler('ddim', cfg, 4).timesteps).toEqual([999, 749, 499, 249]);
  });
});
