/**
 * DPM-Solver++(2M) as diffusers' DPMSolverMultistepScheduler with algorithm_type "dpmsolver++",
 * solver_order 2, midpoint solver, lower_order_final, final_sigmas_type "zero" (so the last step is
 * first order and returns the data prediction), optionally Karras sigmas. Latents are in the
 * variance-preserving space: init noise sigma 1, no input scaling; sigma enters through
 * alpha_t = 1/sqrt(sigma^2+1), sigma_t = sigma·alpha_t.
 * Stateful like diffusers: step i uses the data prediction of step i-1 when it was the previous call.
 */
import type { Rng } from '../rng.js';
import { checkSameLength } from './latentOps.js';
import {
  checkSteps,
  computeAlphasCumprod,
  interpTable,
  linspace,
  roundHalfEven,
  sigmasFromAlphasCumprod,
  spacedTimesteps,
  startIndexForStrength,
} from './noiseSchedule.js';
import type { Scheduler, SchedulerConfig, TimestepSpacing } from './types.js';

const KARRAS_RHO = 7;

/** DPM's own spacings: linspace and leading are taken over N+1 points with the last dropped. */
export function dpmTimesteps(spacing: TimestepSpacing, steps: number, total: number, stepsOffset: number): number[] {
  switch (spacing) {
    case 'linspace':
      return linspace(0, total - 1, steps + 1).map(roundHalfEven).reverse().slice(0, steps);
    case 'leading': {
      const ratio = Math.floor(total / (steps + 1));
      return Array.from({ length: steps }, (_, i) => (steps - i) * ratio + stepsOffset);
    }
    case 'trailing':
      return spacedTimesteps('trailing', steps, total, stepsOffset, true);
  }
}

/** Karras et al. (2022) sigmas: uniform in sigma^(1/rho) from sigmaMax to sigmaMin. */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, steps: number): number[] {
  const minInv = sigmaMin ** (1 / KARRAS_RHO);
  const maxInv = sigmaMax ** (1 / KARRAS_RHO);
  return linspace(0, 1, steps).map((r) => (maxInv + r * (minInv - maxInv)) ** KARRAS_RHO);
}

/** diffusers' _sigma_to_t: the fractional timestep whose log-sigma matches, by linear interpolation. */
export function sigmaToT(sigma: number, logSigmas: Float64Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  let low = 0;
  for (let i = 0; i < logSigmas.length; i++) if (logSigma >= logSigmas[i]) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const lo = logSigmas[low];
  const hi = logSigmas[low + 1];
  const w = Math.min(Math.max((lo - logSigma) / (lo - hi), 0), 1);
  return (1 - w) * low + w * (low + 1);
}

export class DpmSolverMultistepScheduler implements Scheduler {
  readonly name: 'dpmpp-2m' | 'dpmpp-2m-karras';
  readonly timesteps: readonly number[];
  readonly initNoiseSigma = 1;
  /** sigma per step, plus a final 0. */
  readonly sigmas: Float64Array;
  private readonly config: SchedulerConfig;
  private prevX0: Float32Array | null = null;
  private prevIndex = -2;

  constructor(config: SchedulerConfig, steps: number, karras: boolean) {
    this.name = karras ? 'dpmpp-2m-karras' : 'dpmpp-2m';
    checkSteps(steps, this.name);
    this.config = config;
    const table = sigmasFromAlphasCumprod(computeAlphasCumprod(config, true));
    const T = config.numTrainTimesteps;
    let timesteps: number[];
    let sigmas: number[];
    if (karras) {
      const logSigmas = table.map(Math.log);
      sigmas = karrasSigmas(table[0], table[T - 1], steps);
      timesteps = sigmas.map((s) => roundHalfEven(sigmaToT(s, logSigmas)));
    } else {
      timesteps = dpmTimesteps(config.timestepSpacing, steps, T, config.stepsOffset);
      sigmas = timesteps.map((t) => interpTable(table, t));
    }
    this.timesteps = Object.freeze(timesteps);
    this.sigmas = Float64Array.from([...sigmas, 0]);
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, _rng: Rng): Float32Array {
    checkSameLength(modelOutput, sample, `${this.name} step`);
    const x0 = this.dataPrediction(modelOutput, stepIndex, sample);
    const last = stepIndex === this.timesteps.length - 1;
    const havePrev = this.prevX0 !== null && this.prevIndex === stepIndex - 1;
    const out = last || !havePrev ? this.firstOrder(x0, stepIndex, sample) : this.secondOrder(x0, this.prevX0!, stepIndex, sample);
    this.prevX0 = x0;
    this.prevIndex = stepIndex;
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array {
    checkSameLength(original, noise, `${this.name} addNoise`);
    if (stepIndex >= this.timesteps.length) return original;
    const { alpha, sigma } = alphaSigma(this.sigmas[stepIndex]);
    const out = new Float32Array(original.length);
    for (let i = 0; i < out.length; i++) out[i] = alpha * original[i] + sigma * noise[i];
    return out;
  }

  startIndexForStrength(strength: number): number {
    return startIndexForStrength(this.timesteps.length, strength);
  }

  /** convert_model_output for dpmsolver++: the model's estimate of x0. */
  private dataPrediction(modelOutput: Float32Array, stepIndex: number, sample: Float32Array): Float32Array {
    const pred = this.config.predictionType;
    if (pred === 'sample') return Float32Array.from(modelOutput);
    const { alpha, sigma } = alphaSigma(this.sigmas[stepIndex]);
    const out = new Float32Array(sample.length);
    if (pred === 'epsilon') {
      for (let i = 0; i < out.length; i++) out[i] = (sample[i] - sigma * modelOutput[i]) / alpha;
    } else {
      for (let i = 0; i < out.length; i++) out[i] = alpha * sample[i] - sigma * modelOutput[i];
    }
    return out;
  }

  /** x_t = (sigma_t/sigma_s)·x - alpha_t·(e^-h - 1)·D0; at sigma_t = 0 this is exactly D0. */
  private firstOrder(x0: Float32Array, stepIndex: number, sample: Float32Array): Float32Array {
    const to = this.sigmas[stepIndex + 1];
    if (to === 0) return x0.slice();
    const t = alphaSigma(to);
    const s = alphaSigma(this.sigmas[stepIndex]);
    const h = lambda(t) - lambda(s);
    const a = t.sigma / s.sigma;
    const b = -t.alpha * (Math.exp(-h) - 1);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) out[i] = a * sample[i] + b * x0[i];
    return out;
  }

  /** Multistep midpoint update with D1 = (m0 - m1)/r0, r0 = h_prev/h. */
  private secondOrder(m0: Float32Array, m1: Float32Array, stepIndex: number, sample: Float32Array): Float32Array {
    const t = alphaSigma(this.sigmas[stepIndex + 1]);
    const s0 = alphaSigma(this.sigmas[stepIndex]);
    const s1 = alphaSigma(this.sigmas[stepIndex - 1]);
    const h = lambda(t) - lambda(s0);
    const h0 = lambda(s0) - lambda(s1);
    const r0 = h0 / h;
    const a = t.sigma / s0.sigma;
    const c = -t.alpha * (Math.exp(-h) - 1);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const d1 = (m0[i] - m1[i]) / r0;
      out[i] = a * sample[i] + c * m0[i] + 0.5 * c * d1;
    }
    return out;
  }
}

function alphaSigma(sigma: number): { alpha: number; sigma: number } {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  return { alpha, sigma: sigma * alpha };
}

function lambda(p: { alpha: number; sigma: number }): number {
  return Math.log(p.alpha) - Math.log(p.sigma);
}
