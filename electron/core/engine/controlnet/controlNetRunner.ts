import * as ort from 'onnxruntime-node';
import type { ControlNetFolder } from '../../models/controlNetFolder.js';
import { floatTensor, readFloats, type IoSpec, type OnnxPart } from '../onnx/part.js';
import { TimestepInput } from '../onnx/timestepInput.js';
import type { ModelFamily } from '../../../contract/modelFamily.js';
import { EngineError } from '../types.js';
import { addSdxlFeeds, type UnetConditioning, type UnetRunner } from '../unet.js';
import { MID_RESIDUAL, RESIDUAL_INPUT, type Residuals } from './residuals.js';

const FAMILY_NAMES: Record<ModelFamily, string> = { sd1: 'SD 1.x', sd2: 'SD 2.x', sdxl: 'SDXL' };

/**
 * One ControlNet (OnnxStack's export of diffusers' ControlNetModel): sample, timestep,
 * encoder_hidden_states, [text_embeds, time_ids,] controlnet_cond (N×3×H×W in 0..1), conditioning_scale →
 * the residuals. Adapts to what the file declares, as UnetRunner does: the timestep's dtype and shape, a
 * conditioning_scale of float32, float16 or float64 as a scalar or [1] (OnnxStack feeds float64 [1]), or
 * none at all (then the residuals are scaled here, as diffusers scales them inside the model).
 */
export class ControlNetRunner {
  readonly isXL: boolean;
  /** Output names: down residuals in N order, then the mid one. */
  readonly residualNames: string[];
  private readonly sample: IoSpec;
  private readonly timestep: TimestepInput;
  private readonly hidden: IoSpec;
  private readonly cond: IoSpec;
  private readonly scale?: IoSpec;

  constructor(readonly part: OnnxPart, readonly folder: ControlNetFolder) {
    const missing = ['sample', 'encoder_hidden_states', 'controlnet_cond'].filter((n) => !part.inputs.has(n));
    if (missing.length > 0) {
      throw new EngineError(`${folder.name} is not a ControlNet: its network has no ${missing.join(', ')} input`, 'invalid-model');
    }
    this.sample = part.requireInput('sample');
    this.timestep = new TimestepInput(part.requireInput('timestep', 'timesteps', 't'));
    this.hidden = part.requireInput('encoder_hidden_states');
    this.cond = part.requireInput('controlnet_cond');
    this.scale = part.input('conditioning_scale');
    this.isXL = part.inputs.has('text_embeds') && part.inputs.has('time_ids');
    const down = [...part.outputs.keys()]
      .map((name) => ({ name, m: RESIDUAL_INPUT.exec(name) }))
      .filter((x) => x.m !== null)
      .sort((a, b) => Number(a.m![1]) - Number(b.m![1]))
      .map((x) => x.name);
    if (down.length === 0 || !part.outputs.has(MID_RESIDUAL)) {
      throw new EngineError(`${folder.name} is not a ControlNet: its network returns no down_block_N_additional_residual and ${MID_RESIDUAL} outputs`, 'invalid-model');
    }
    this.residualNames = [...down, MID_RESIDUAL];
    const channels = this.cond.shape[1];
    if (typeof channels === 'number' && channels !== 3) {
      throw new EngineError(`${folder.name} takes a ${channels}-channel control image; only RGB (3) control images are supported`, 'invalid-model');
    }
  }

  /** One sentence when this ControlNet was made for another kind of model than `unet` (family, text width, residuals). */
  checkFits(unet: UnetRunner, modelName: string, family: ModelFamily): void {
    const cn = this.folder.name;
    const own = this.isXL ? 'SDXL' : 'SD 1.x/2.x';
    if (this.isXL !== unet.isXL) {
      throw new EngineError(`ControlNet ${cn} is made for ${own} models, but ${modelName} is ${FAMILY_NAMES[family]}: pick a ControlNet made for ${FAMILY_NAMES[family]}`);
    }
    const width = this.hidden.shape[2];
    if (typeof width === 'number' && unet.hiddenWidth !== undefined && width !== unet.hiddenWidth) {
      throw new EngineError(`ControlNet ${cn} reads ${width}-wide text states, but ${modelName} makes ${unet.hiddenWidth}-wide ones: it was made for another ${own} family (SD 1.x and SD 2.x differ)`);
    }
    const takes = unet.residualInputs;
    const fits = takes.length === this.residualNames.length && takes.every((spec, i) => {
      if (spec.name !== this.residualNames[i]) return false;
      const out = this.part.outputs.get(spec.name)!;
      return typeof out.shape[1] !== 'number' || typeof spec.shape[1] !== 'number' || out.shape[1] === spec.shape[1];
    });
    if (!fits) {
      throw new EngineError(`ControlNet ${cn} gives ${this.residualNames.length} residuals that do not match the ${takes.length} ${modelName}'s UNet takes: it was made for another base model architecture`);
    }
  }

  /**
   * The residuals for one step on a UNet batch: `sample` is the scaled 4-channel latents repeated over the
   * batch (both CFG halves, as diffusers runs it), `image` one control map (3×8h×8w, 0..1) used for every item.
   */
  async residuals(sample: Float32Array, batch: number, h: number, w: number, t: number, cond: UnetConditioning, image: Float32Array, scale: number): Promise<Residuals> {
    const images = new Float32Array(batch * image.length);
    for (let b = 0; b < batch; b++) images.set(image, b * image.length);
    const feeds: Record<string, ort.Tensor> = {
      [this.sample.name]: floatTensor(this.sample, sample, [batch, 4, h, w]),
      [this.hidden.name]: floatTensor(this.hidden, cond.hidden, [batch, cond.sequenceLength, cond.width]),
      [this.cond.name]: floatTensor(this.cond, images, [batch, 3, h * 8, w * 8]),
    };
    if (this.isXL) addSdxlFeeds(this.part, cond, batch, feeds, 'ControlNet');
    if (this.scale) feeds[this.scale.name] = scaleTensor(this.scale, scale);
    const ts = this.timestep;
    feeds[ts.spec.name] = ts.tensor(t, batch);
    let out: Record<string, ort.Tensor>;
    try {
      out = await this.part.run(feeds, this.residualNames);
    } catch (error) {
      if (!ts.fallBackFromScalar()) throw error;
      feeds[ts.spec.name] = ts.tensor(t, batch);
      out = await this.part.run(feeds, this.residualNames);
    }
    const result: Residuals = new Map();
    for (const name of this.residualNames) {
      const tensor = out[name]!;
      let data = readFloats(tensor);
      if (!this.scale && scale !== 1) data = data.map((v) => v * scale);
      result.set(name, { data, dims: tensor.dims.map(Number) });
    }
    return result;
  }
}

/** conditioning_scale as declared: a scalar or [1]; float32, float16 or float64. */
function scaleTensor(spec: IoSpec, scale: number): ort.Tensor {
  const dims = spec.shape.length === 0 ? [] : [1];
  if (spec.type === 'float64') return new ort.Tensor('float64', Float64Array.of(scale), dims);
  return floatTensor(spec, Float32Array.of(scale), dims);
}
