/**
 * Latent Consistency Model sampling as diffusers' LCMScheduler: timesteps picked from the
 * distillation grid (k-1, 2k-1, ..., T-1 with k = T / originalInferenceSteps), a consistency
 * "boundary condition" blend of the x0 estimate and the input, and fresh noise between steps.
 */
import type { Rng } from '../rng.js';
import { EngineError } from '../types.js';
import { checkSameLength } from './latentOps.js';
import { addNoiseVp, alphaAt, checkSteps, computeAlphasCumprod } from './noiseSchedule.js';
import type { Scheduler, SchedulerConfig } from './types.js';

const SIGMA_DATA = 0.5;

/** The grid timesteps an LCM run may use at this strength, noisiest first. */
function originGrid(config: SchedulerConfig, strength: number): number[] {
  const original = config.originalInferenceSteps ?? 50;
  const k = Math.floor(config.numTrainTimesteps / original);
  const count = Math.floor(original * strength);
  return Array.from({ length: count }, (_, i) => (count - i) * k - 1);
}

/** diffusers' get_scalings_for_boundary_condition_discrete. */
export function lcmBoundaryScalings(timestep: number, timestepScaling = 10): { cSkip: number; cOut: number } {
  const t = timestep * timestepScaling;
  const d = t * t + SIGMA_DATA * SIGMA_DATA;
  return { cSkip: (SIGMA_DATA * SIGMA_DATA) / d, cOut: t / Math.sqrt(d) };
}

export class LcmScheduler implements Scheduler {
  readonly name = 'lcm' as const;
  readonly timesteps: readonly number[];
  readonly initNoiseSigma = 1;
  private readonly alphasCumprod: Float64Array;
  private readonly finalAlphaCumprod: number;
  private readonly config: SchedulerConfig;

  /** `strength` < 1 builds diffusers' img2img schedule over the first floor(50·strength) grid points. */
  constructor(config: SchedulerConfig, steps: number, strength = 1) {
    checkSteps(steps, 'lcm');
    this.config = config;
    this.alphasCumprod = computeAlphasCumprod(config);
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.alphasCumprod[0];
    const s = Number.isFinite(strength) ? Math.min(Math.max(strength, 0), 1) : 1;
    const grid = originGrid(config, s);
    if (steps > grid.length) {
      const original = config.originalInferenceSteps ?? 50;
      throw new EngineError(
        s < 1
          ? `lcm: ${steps} steps need strength >= ${(steps / original).toFixed(2)} (at ${s} only ${grid.length} are available)`
          : `lcm: at most ${grid.length} steps (the model was distilled on a ${original}-step grid), got ${steps}`,
        'invalid-input',
      );
    }
    // Evenly spaced picks from the grid: floor(linspace(0, len, steps, endpoint=False)).
    this.timesteps = Object.freeze(Array.from({ length: steps }, (_, i) => grid[Math.floor(i * (grid.length / steps))]));
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, rng: Rng): Float32Array {
    checkSameLength(modelOutput, sample, 'lcm step');
    const t = this.timesteps[stepIndex];
    const last = stepIndex === this.timesteps.length - 1;
    const prevT = last ? t : this.timesteps[stepIndex + 1];
    const a = alphaAt(this.alphasCumprod, t);
    const aPrev = prevT >= 0 ? alphaAt(this.alphasCumprod, prevT) : this.finalAlphaCumprod;
    const sqrtA = Math.sqrt(a);
    const sqrtB = Math.sqrt(1 - a);
    const { cSkip, cOut } = lcmBoundaryScalings(t, this.config.timestepScaling ?? 10);
    const pred = this.config.predictionType;
    const clip = this.config.clipSample ? (this.config.clipSampleRange ?? 1) : Infinity;
    const denoised = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i];
      const m = modelOutput[i];
      let x0 = pred === 'epsilon' ? (x - sqrtB * m) / sqrtA : pred === 'v_prediction' ? sqrtA * x - sqrtB * m : m;
      if (x0 > clip) x0 = clip;
      else if (x0 < -clip) x0 = -clip;
      denoised[i] = cOut * x0 + cSkip * x;
    }
    if (last) return denoised;
    // Re-noise the consistency estimate to the next timestep.
    const noise = rng.fillNormal(new Float32Array(sample.length));
    const sa = Math.sqrt(aPrev);
    const sb = Math.sqrt(1 - aPrev);
    for (let i = 0; i < denoised.length; i++) denoised[i] = sa * denoised[i] + sb * noise[i];
    return denoised;
  }

  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array {
    checkSameLength(original, noise, 'lcm addNoise');
    return addNoiseVp(this.alphasCumprod, this.timesteps, original, noise, stepIndex);
  }

  /**
   * Same idea as the other schedulers on LCM's grid: skip the steps noisier than the top of the
   * grid that diffusers keeps at this strength (floor(50·s)·k - 1). A scheduler built with
   * { strength: s } has no such steps, so this returns 0 for that s.
   */
  startIndexForStrength(strength: number): number {
    const s = Number.isFinite(strength) ? Math.min(Math.max(strength, 0), 1) : 1;
    const top = originGrid(this.config, s)[0] ?? -1;
    const first = this.timesteps.findIndex((t) => t <= top);
    return first < 0 ? this.timesteps.length : first;
  }
}

/**
 * LCM UNets with `timestep_cond` take a guidance embedding (diffusers' get_guidance_scale_embedding,
 * called with w = guidance_scale - 1): sinusoidal features of w·1000, sin then cos.
 */
export function guidanceScaleEmbedding(w: number, dim = 256): Float32Array {
  const half = Math.floor(dim / 2);
  const out = new Float32Array(dim); // odd dims: last entry stays 0 (diffusers pads with zero)
  const scaled = w * 1000;
  const base = Math.log(10000) / (half - 1);
  for (let i = 0; i < half; i++) {
    const arg = scaled * Math.exp(-base * i);
    out[i] = Math.sin(arg);
    out[half + i] = Math.cos(arg);
  }
  return out;
}
