/** The scheduler contract the pipeline runs against (diffusers' schedulers, one object per job). */
import type { Rng } from '../rng.js';
export type { SchedulerName } from '../../../contract/generation.js';
import type { SchedulerName } from '../../../contract/generation.js';

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';

/** Parsed from scheduler/scheduler_config.json; see parseSchedulerConfig for the defaults. */
export interface SchedulerConfig {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  stepsOffset: number;
  timestepSpacing: TimestepSpacing;
  /**
   * False when scheduler_config.json did not name a spacing: diffusers then uses the chosen
   * scheduler class's own default (Euler, Euler-a, DPM++: linspace; DDIM, LCM: leading).
   */
  timestepSpacingDeclared?: boolean;
  predictionType: PredictionType;
  setAlphaToOne: boolean;
  clipSample: boolean;
  /** LCM: the distillation grid size (default 50). */
  originalInferenceSteps?: number;
  /** diffusers `trained_betas`: explicit betas overriding the schedule (length numTrainTimesteps). */
  trainedBetas?: number[];
  /** diffusers `clip_sample_range` (default 1). */
  clipSampleRange?: number;
  /** LCM `timestep_scaling` (default 10). */
  timestepScaling?: number;
  /** diffusers `rescale_betas_zero_snr`: rescale so the last timestep is pure noise (zero terminal SNR). */
  rescaleBetasZeroSnr?: boolean;
}

export interface Scheduler {
  readonly name: SchedulerName;
  /** Model timesteps, one per step, in the order they are run (float values allowed, e.g. euler linspace). */
  readonly timesteps: readonly number[];
  /** Multiply fresh N(0,1) noise by this for the initial latents (txt2img). */
  readonly initNoiseSigma: number;
  /** Scale the latents before the UNet call of step i (Euler family divides by sqrt(sigma^2+1); DDIM/LCM return input). May return the same array. */
  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array;
  /** One denoising step: returns the latents after step i. `rng` supplies noise for ancestral/LCM steps. Must not mutate modelOutput. */
  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, rng: Rng): Float32Array;
  /** Noise clean latents to the noise level at which step i starts (img2img start, inpaint blending). For i === timesteps.length returns `original` unchanged (fully denoised). */
  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array;
  /** img2img: index of the first step to run for strength s in [0,1]: N - floor(N*s) as diffusers (clamped). LCM: its own rule (same idea). */
  startIndexForStrength(strength: number): number;
}

/** Extra choices for createScheduler; everything optional. */
export interface SchedulerOptions {
  /**
   * LCM only: build diffusers' img2img schedule, whose steps are spread over the first
   * floor(originalInferenceSteps * strength) grid points. Ignored by the other schedulers.
   */
  strength?: number;
}
