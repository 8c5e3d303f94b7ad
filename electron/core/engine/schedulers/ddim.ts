/**
 * DDIM with eta = 0, as diffusers' DDIMScheduler. Latents are in the variance-preserving space
 * (init noise sigma 1, no input scaling). Like diffusers, the previous timestep is t - T//N
 * whatever the spacing.
 */
import type { Rng } from '../rng.js';
import { checkSameLength } from './latentOps.js';
import { addNoiseVp, alphaAt, checkSteps, computeAlphasCumprod, spacedTimesteps, startIndexForStrength } from './noiseSchedule.js';
import type { Scheduler, SchedulerConfig } from './types.js';

export class DdimScheduler implements Scheduler {
  readonly name = 'ddim' as const;
  readonly timesteps: readonly number[];
  readonly initNoiseSigma = 1;
  private readonly alphasCumprod: Float64Array;
  private readonly finalAlphaCumprod: number;
  private readonly stepRatio: number;
  private readonly config: SchedulerConfig;

  constructor(config: SchedulerConfig, steps: number) {
    checkSteps(steps, 'ddim');
    this.config = config;
    this.alphasCumprod = computeAlphasCumprod(config);
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.alphasCumprod[0];
    this.stepRatio = Math.floor(config.numTrainTimesteps / steps);
    this.timesteps = Object.freeze(
      spacedTimesteps(config.timestepSpacing, steps, config.numTrainTimesteps, config.stepsOffset, true),
    );
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, _rng: Rng): Float32Array {
    checkSameLength(modelOutput, sample, 'ddim step');
    const t = this.timesteps[stepIndex];
    const prevT = t - this.stepRatio;
    const a = alphaAt(this.alphasCumprod, t);
    const aPrev = prevT >= 0 ? alphaAt(this.alphasCumprod, prevT) : this.finalAlphaCumprod;
    const sqrtA = Math.sqrt(a);
    const sqrtB = Math.sqrt(1 - a);
    const sqrtAPrev = Math.sqrt(aPrev);
    const dirCoef = Math.sqrt(1 - aPrev);
    const pred = this.config.predictionType;
    const clip = this.config.clipSample ? (this.config.clipSampleRange ?? 1) : Infinity;
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i];
      const m = modelOutput[i];
      let x0: number;
      let eps: number;
      if (pred === 'epsilon') {
        x0 = (x - sqrtB * m) / sqrtA;
        eps = m;
      } else if (pred === 'v_prediction') {
        x0 = sqrtA * x - sqrtB * m;
        eps = sqrtA * m + sqrtB * x;
      } else {
        x0 = m;
        eps = (x - sqrtA * x0) / sqrtB;
      }
      if (x0 > clip) x0 = clip;
      else if (x0 < -clip) x0 = -clip;
      out[i] = sqrtAPrev * x0 + dirCoef * eps;
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array {
    checkSameLength(original, noise, 'ddim addNoise');
    return addNoiseVp(this.alphasCumprod, this.timesteps, original, noise, stepIndex);
  }

  startIndexForStrength(strength: number): number {
    return startIndexForStrength(this.timesteps.length, strength);
  }
}
