import type { LoadedModel } from '../loadedModel.js';
import type { ControlRequest } from '../types.js';
import type { UnetConditioning } from '../unet.js';
import type { ControlNetRunner } from './controlNetRunner.js';
import { addResiduals, controlActive, type Residuals } from './residuals.js';
import type { RgbaImage } from '../../image/types.js';

/**
 * ControlNet guidance for the sampler loop, as diffusers' StableDiffusionControlNetPipeline runs it: each
 * ControlNet sees the same scaled latents, timestep and prompt batch as the UNet (both CFG halves), its
 * residuals come out multiplied by its scale, the residuals of several are summed (MultiControlNetModel),
 * and a control outside its start/end fraction of the steps contributes nothing.
 */
export interface PreparedControl {
  runner: ControlNetRunner;
  /** The control map, 3 × H × W in 0..1 (controlnet_cond; diffusers' control image processor does not normalise). */
  image: Float32Array;
  scale: number;
  start: number;
  end: number;
}

/** RGB in 0..1, planar; alpha is ignored as diffusers' RGB conversion drops it. */
export function controlImageTensor(img: RgbaImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(3 * n);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) out[c * n + p] = img.data[p * 4 + c]! / 255;
  }
  return out;
}

/** Loads the job's ControlNets (the model's UNet already selected) and checks each fits the model. */
export async function prepareControls(model: LoadedModel, controls: readonly ControlRequest[]): Promise<PreparedControl[]> {
  const runners = await model.controlNets(controls.map((c) => c.dir));
  return controls.map((c, i) => {
    const runner = runners[i]!;
    runner.checkFits(model.unet, model.layout.name, model.layout.family);
    return { runner, image: controlImageTensor(c.image), scale: c.scale, start: c.start, end: c.end };
  });
}

/**
 * The summed residuals for step `k` of the `n` steps the job runs; undefined when no control applies then
 * (the UNet gets zeros). `sample` is the scaled 4-channel latents for the whole UNet batch.
 */
export async function stepResiduals(
  controls: readonly PreparedControl[], k: number, n: number,
  sample: Float32Array, batch: number, h: number, w: number, t: number, cond: UnetConditioning,
): Promise<Residuals | undefined> {
  let sum: Residuals | undefined;
  for (const c of controls) {
    if (!controlActive(k, n, c.start, c.end)) continue;
    const r = await c.runner.residuals(sample, batch, h, w, t, cond, c.image, c.scale);
    if (!sum) sum = r;
    else addResiduals(sum, r);
  }
  return sum;
}
