/**
 * The tables every scheduler shares, computed in Float64 the way diffusers defines them:
 * betas, cumulative alphas, sigmas, timestep spacings, and numpy's rounding/interpolation rules
 * (numpy rounds halves to even, which matters for spacings like 937.5).
 */
import { EngineError } from '../types.js';
import type { SchedulerConfig, TimestepSpacing } from './types.js';
import { axpby } from './latentOps.js';

/** numpy's round(): halves to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** np.linspace(start, stop, num) (endpoint included; the last value is exactly `stop`). */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => start + i * step);
  out[num - 1] = stop;
  return out;
}

export function computeBetas(config: SchedulerConfig): Float64Array {
  const betas = scheduleBetas(config);
  return config.rescaleBetasZeroSnr ? rescaleZeroTerminalSnr(betas) : betas;
}

function scheduleBetas(config: SchedulerConfig): Float64Array {
  const n = config.numTrainTimesteps;
  if (config.trainedBetas) return Float64Array.from(config.trainedBetas);
  const betas = new Float64Array(n);
  switch (config.betaSchedule) {
    case 'linear': {
      const v = linspace(config.betaStart, config.betaEnd, n);
      for (let i = 0; i < n; i++) betas[i] = v[i];
      break;
    }
    case 'scaled_linear': {
      // Stable Diffusion's schedule: linear in sqrt(beta).
      const v = linspace(Math.sqrt(config.betaStart), Math.sqrt(config.betaEnd), n);
      for (let i = 0; i < n; i++) betas[i] = v[i] * v[i];
      break;
    }
    case 'squaredcos_cap_v2': {
      // Glide cosine schedule (betas_for_alpha_bar), each beta capped at 0.999.
      const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * Math.PI * 0.5) ** 2;
      for (let i = 0; i < n; i++) betas[i] = Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), 0.999);
      break;
    }
  }
  return betas;
}

/**
 * "Common Diffusion Noise Schedules and Sample Steps are Flawed" (Algorithm 1), as diffusers'
 * rescale_zero_terminal_snr: shift and scale sqrt(alphā) so it ends at exactly 0, keeping its start.
 */
export function rescaleZeroTerminalSnr(betas: Float64Array): Float64Array {
  const n = betas.length;
  const sqrtBar = new Float64Array(n);
  let prod = 1;
  for (let i = 0; i < n; i++) {
    prod *= 1 - betas[i];
    sqrtBar[i] = Math.sqrt(prod);
  }
  const first = sqrtBar[0];
  const last = sqrtBar[n - 1];
  const k = first / (first - last);
  const bar = sqrtBar.map((v) => ((v - last) * k) ** 2);
  const out = new Float64Array(n);
  out[0] = 1 - bar[0];
  for (let i = 1; i < n; i++) out[i] = 1 - bar[i] / bar[i - 1];
  return out;
}

/**
 * Cumulative product of (1 - beta). `sigmaSafe`: with a zero-terminal-SNR schedule the last alphā
 * is 0 and its sigma infinite; the sigma-based schedulers (Euler, DPM) use 2^-24 there, as diffusers.
 */
export function computeAlphasCumprod(config: SchedulerConfig, sigmaSafe = false): Float64Array {
  const betas = computeBetas(config);
  const out = new Float64Array(betas.length);
  let prod = 1;
  for (let i = 0; i < betas.length; i++) {
    prod *= 1 - betas[i];
    out[i] = prod;
  }
  if (sigmaSafe && config.rescaleBetasZeroSnr) out[out.length - 1] = 2 ** -24;
  return out;
}

/** sigma_t = sqrt((1 - alphā_t) / alphā_t): the noise level in the "x0 + sigma·eps" parametrisation. */
export function sigmasFromAlphasCumprod(alphasCumprod: Float64Array): Float64Array {
  return alphasCumprod.map((a) => Math.sqrt((1 - a) / a));
}

/** np.interp(x, arange(len(table)), table): linear, clamped at both ends. */
export function interpTable(table: Float64Array, x: number): number {
  if (x <= 0) return table[0];
  const last = table.length - 1;
  if (x >= last) return table[last];
  const i = Math.floor(x);
  const w = x - i;
  return table[i] * (1 - w) + table[i + 1] * w;
}

/** Numpy's float arange(start, stop, step) for a negative step, exactly N values (see trailingTimesteps). */
function trailingValues(total: number, steps: number): number[] {
  const step = -total / steps;
  const delta = total + step - total; // numpy fills start + i*delta with delta = second - first
  return Array.from({ length: steps }, (_, i) => total + i * delta);
}

/**
 * The spacings of "Common Diffusion Noise Schedules and Sample Steps are Flawed" (Table 2) as the
 * Euler and DDIM schedulers implement them. `integer` rounds linspace (DDIM does, Euler keeps floats).
 * Trailing yields exactly `steps` values; numpy's float arange adds a bogus 0 for a few step counts
 * (61, 103, 121, 122 at T=1000), which we do not copy.
 */
export function spacedTimesteps(
  spacing: TimestepSpacing,
  steps: number,
  total: number,
  stepsOffset: number,
  integer: boolean,
): number[] {
  switch (spacing) {
    case 'linspace': {
      const v = linspace(0, total - 1, steps).reverse();
      return integer ? v.map(roundHalfEven) : v.map((t) => Math.fround(t)); // Euler: np.float32 linspace
    }
    case 'leading': {
      const ratio = Math.floor(total / steps);
      return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + stepsOffset);
    }
    case 'trailing':
      return trailingValues(total, steps).map((t) => roundHalfEven(t) - 1);
  }
}

/** alphā at an integer timestep, clamped into the table (leading + offset can reach T). */
export function alphaAt(alphasCumprod: Float64Array, t: number): number {
  const i = Math.min(Math.max(Math.round(t), 0), alphasCumprod.length - 1);
  return alphasCumprod[i];
}

export function checkSteps(steps: number, name: string): void {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new EngineError(`${name}: steps must be a positive integer, got ${steps}`, 'invalid-input');
  }
}

/** diffusers' img2img rule: run the last floor(N * strength) steps. */
export function startIndexForStrength(steps: number, strength: number): number {
  const s = Number.isFinite(strength) ? Math.min(Math.max(strength, 0), 1) : 1;
  const initSteps = Math.min(Math.floor(steps * s), steps);
  return Math.max(steps - initSteps, 0);
}

/**
 * The forward (VP) noising of DDIM-family schedulers: √ᾱ_t·x₀ + √(1−ᾱ_t)·ε at step `stepIndex`;
 * past the last step the latents are fully denoised and come back unchanged.
 */
export function addNoiseVp(
  alphasCumprod: Float64Array,
  timesteps: readonly number[],
  original: Float32Array,
  noise: Float32Array,
  stepIndex: number,
): Float32Array {
  if (stepIndex >= timesteps.length) return original;
  const a = alphaAt(alphasCumprod, timesteps[stepIndex]!);
  return axpby(Math.sqrt(a), original, Math.sqrt(1 - a), noise);
}
