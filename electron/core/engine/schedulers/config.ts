/** scheduler/scheduler_config.json -> SchedulerConfig, with Stable Diffusion 1.x defaults. */
import { EngineError } from '../types.js';
import type { BetaSchedule, PredictionType, SchedulerConfig, TimestepSpacing } from './types.js';

const BETA_SCHEDULES: readonly BetaSchedule[] = ['linear', 'scaled_linear', 'squaredcos_cap_v2'];
const SPACINGS: readonly TimestepSpacing[] = ['leading', 'trailing', 'linspace'];
const PREDICTIONS: readonly PredictionType[] = ['epsilon', 'v_prediction', 'sample'];

export const DEFAULT_SCHEDULER_CONFIG: Readonly<SchedulerConfig> = Object.freeze({
  numTrainTimesteps: 1000,
  betaStart: 0.00085,
  betaEnd: 0.012,
  betaSchedule: 'scaled_linear',
  stepsOffset: 1,
  timestepSpacing: 'leading',
  timestepSpacingDeclared: false,
  predictionType: 'epsilon',
  setAlphaToOne: false,
  clipSample: false,
});

function fail(message: string): never {
  throw new EngineError(`scheduler_config.json: ${message}`, 'invalid-model');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(json: Record<string, unknown>, key: string, fallback: number, check: (n: number) => boolean): number {
  const v = json[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) fail(`${key} has an invalid value ${JSON.stringify(v)}`);
  return v;
}

function bool(json: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = json[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') fail(`${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function oneOf<T extends string>(json: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T): T {
  const v = json[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(`unsupported ${key} ${JSON.stringify(v)} (expected one of ${allowed.join(', ')})`);
  }
  return v as T;
}

/**
 * Tolerant: unknown keys are ignored and missing ones take the defaults above (SD 1.x's values);
 * a known key with an unusable value is a one-line EngineError naming it.
 * Note diffusers itself fills missing keys from each scheduler class's own defaults, which differ
 * (e.g. Euler defaults to `linspace` spacing); model folders normally spell these keys out.
 */
export function parseSchedulerConfig(json: unknown): SchedulerConfig {
  if (json === undefined || json === null) return { ...DEFAULT_SCHEDULER_CONFIG };
  if (!isRecord(json)) fail('expected a JSON object');
  const d = DEFAULT_SCHEDULER_CONFIG;
  const numTrainTimesteps = num(json, 'num_train_timesteps', d.numTrainTimesteps, (n) => Number.isInteger(n) && n >= 2 && n <= 100_000);
  const config: SchedulerConfig = {
    numTrainTimesteps,
    betaStart: num(json, 'beta_start', d.betaStart, (n) => n > 0 && n < 1),
    betaEnd: num(json, 'beta_end', d.betaEnd, (n) => n > 0 && n < 1),
    betaSchedule: oneOf(json, 'beta_schedule', BETA_SCHEDULES, d.betaSchedule),
    stepsOffset: num(json, 'steps_offset', d.stepsOffset, (n) => Number.isInteger(n) && n >= 0 && n < numTrainTimesteps),
    timestepSpacing: oneOf(json, 'timestep_spacing', SPACINGS, d.timestepSpacing),
    timestepSpacingDeclared: json['timestep_spacing'] !== undefined && json['timestep_spacing'] !== null,
    predictionType: oneOf(json, 'prediction_type', PREDICTIONS, d.predictionType),
    setAlphaToOne: bool(json, 'set_alpha_to_one', d.setAlphaToOne),
    clipSample: bool(json, 'clip_sample', d.clipSample),
  };
  if (json.original_inference_steps !== undefined && json.original_inference_steps !== null) {
    config.originalInferenceSteps = num(json, 'original_inference_steps', 50, (n) => Number.isInteger(n) && n >= 1 && n <= numTrainTimesteps);
  }
  if (json.clip_sample_range !== undefined && json.clip_sample_range !== null) {
    config.clipSampleRange = num(json, 'clip_sample_range', 1, (n) => n > 0);
  }
  if (json.timestep_scaling !== undefined && json.timestep_scaling !== null) {
    config.timestepScaling = num(json, 'timestep_scaling', 10, (n) => n > 0);
  }
  if (bool(json, 'rescale_betas_zero_snr', false)) config.rescaleBetasZeroSnr = true;
  const trained = json.trained_betas;
  if (trained !== undefined && trained !== null) {
    const ok =
      Array.isArray(trained) &&
      trained.length === numTrainTimesteps &&
      trained.every((b) => typeof b === 'number' && b > 0 && b < 1);
    if (!ok) fail(`trained_betas must be ${numTrainTimesteps} numbers in (0, 1)`);
    config.trainedBetas = trained as number[];
  }
  return config;
}
