/**
 * Euler and Euler-ancestral, as diffusers' EulerDiscreteScheduler / EulerAncestralDiscreteScheduler
 * (s_churn = 0, linear sigma interpolation, final sigma 0). Latents live in the "x0 + sigma·eps"
 * space: initial noise is scaled by initNoiseSigma and the UNet sees x / sqrt(sigma^2 + 1).
 */
import type { Rng } from '../rng.js';
import { checkSameLength, scale } from './latentOps.js';
import {
  checkSteps,
  computeAlphasCumprod,
  interpTable,
  sigmasFromAlphasCumprod,
  spacedTimesteps,
  startIndexForStrength,
} from './noiseSchedule.js';
import type { Scheduler, SchedulerConfig } from './types.js';

export class EulerDiscreteScheduler implements Scheduler {
  readonly name: 'euler' | 'euler-a';
  readonly timesteps: readonly number[];
  /** sigma per step, plus a final 0. */
  readonly sigmas: Float64Array;
  readonly initNoiseSigma: number;
  private readonly config: SchedulerConfig;

  constructor(config: SchedulerConfig, steps: number, ancestral: boolean) {
    this.name = ancestral ? 'euler-a' : 'euler';
    checkSteps(steps, this.name);
    this.config = config;
    const table = sigmasFromAlphasCumprod(computeAlphasCumprod(config, true));
    this.timesteps = Object.freeze(
      spacedTimesteps(config.timestepSpacing, steps, config.numTrainTimesteps, config.stepsOffset, false),
    );
    this.sigmas = new Float64Array(steps + 1);
    this.timesteps.forEach((t, i) => (this.sigmas[i] = interpTable(table, t)));
    const maxSigma = Math.max(...this.sigmas);
    // diffusers: sigma_max for linspace/trailing, sqrt(sigma_max^2 + 1) for leading.
    this.initNoiseSigma = config.timestepSpacing === 'leading' ? Math.sqrt(maxSigma * maxSigma + 1) : maxSigma;
  }

  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array {
    const sigma = this.sigmas[stepIndex];
    return scale(sample, 1 / Math.sqrt(sigma * sigma + 1));
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, rng: Rng): Float32Array {
    checkSameLength(modelOutput, sample, `${this.name} step`);
    const sigma = this.sigmas[stepIndex];
    const sigmaNext = this.sigmas[stepIndex + 1];
    let sigmaTo = sigmaNext;
    let sigmaUp = 0;
    if (this.name === 'euler-a') {
      // Step deterministically down to sigma_down, then add fresh noise of size sigma_up.
      sigmaUp = Math.sqrt((sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext)) / (sigma * sigma));
      sigmaTo = Math.sqrt(sigmaNext * sigmaNext - sigmaUp * sigmaUp);
    }
    const dt = sigmaTo - sigma;
    const out = new Float32Array(sample.length);
    const pred = this.config.predictionType;
    const vA = -sigma / Math.sqrt(sigma * sigma + 1);
    const vB = 1 / (sigma * sigma + 1);
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i];
      const m = modelOutput[i];
      const x0 = pred === 'epsilon' ? x - sigma * m : pred === 'v_prediction' ? m * vA + x * vB : m;
      const derivative = (x - x0) / sigma;
      out[i] = x + derivative * dt;
    }
    if (sigmaUp > 0) {
      const noise = rng.fillNormal(new Float32Array(sample.length));
      for (let i = 0; i < out.length; i++) out[i] += noise[i] * sigmaUp;
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array {
    checkSameLength(original, noise, `${this.name} addNoise`);
    if (stepIndex >= this.timesteps.length) return original;
    const sigma = this.sigmas[stepIndex];
    const out = new Float32Array(original.length);
    for (let i = 0; i < out.length; i++) out[i] = original[i] + noise[i] * sigma;
    return out;
  }

  startIndexForStrength(strength: number): number {
    return startIndexForStrength(this.timesteps.length, strength);
  }
}
