import * as ort from 'onnxruntime-node';
import type { ModelLayout } from '../models/modelFolder.js';
import { floatTensor, readFloats, type IoSpec, type OnnxPart } from './onnx/part.js';
import { EngineError } from './types.js';

export interface UnetConditioning {
  /** [batch, seq, D] concatenated over the batch. */
  hidden: Float32Array;
  sequenceLength: number;
  width: number;
  /** SDXL: [batch, P] and [batch, 6]. */
  textEmbeds?: Float32Array;
  timeIds?: Float32Array;
  /** LCM: guidance embedding [batch, dim]. */
  timestepCond?: Float32Array;
}

type TimestepLayout = 'scalar' | 'one' | 'batch';

/**
 * Adapts to what the exported UNet declares: input names, fp16/fp32, the timestep's dtype and
 * shape (float [batch], int64 [1], float scalar, … — it differs by exporter), 4 or 9 input
 * channels, and SDXL's extra inputs.
 */
export class UnetRunner {
  readonly inChannels: number;
  readonly isXL: boolean;
  readonly takesTimestepCond: boolean;
  readonly timestepCondDim: number;
  private readonly sample: IoSpec;
  private readonly timestep: IoSpec;
  private readonly hidden: IoSpec;
  private readonly outName: string;
  private timestepLayout: TimestepLayout;

  constructor(readonly part: OnnxPart, layout: ModelLayout) {
    this.sample = part.requireInput('sample');
    this.timestep = part.requireInput('timestep', 'timesteps', 't');
    this.hidden = part.requireInput('encoder_hidden_states');
    this.outName = part.requireOutput('out_sample', 'sample', 'noise_pred').name;
    const declared = this.sample.shape[1];
    const fromConfig = layout.unet.config['in_channels'];
    this.inChannels = typeof declared === 'number' ? declared : typeof fromConfig === 'number' ? fromConfig : 4;
    if (this.inChannels !== 4 && this.inChannels !== 9) {
      throw new EngineError(`${layout.name}: UNet takes ${this.inChannels} input channels; only 4 and 9 are supported`, 'invalid-model');
    }
    this.isXL = part.inputs.has('text_embeds') && part.inputs.has('time_ids');
    const cond = part.input('timestep_cond');
    this.takesTimestepCond = cond !== undefined;
    this.timestepCondDim = cond && typeof cond.shape[1] === 'number' ? cond.shape[1] : 256;
    const dims = this.timestep.shape;
    this.timestepLayout = dims.length === 0 ? 'scalar' : dims.length === 1 && dims[0] === 1 ? 'one' : 'batch';
  }

  private timestepTensor(t: number, batch: number): ort.Tensor {
    const spec = this.timestep;
    const count = this.timestepLayout === 'batch' ? batch : 1;
    const dims = this.timestepLayout === 'scalar' ? [] : [count];
    // Integer UNets get the timestep truncated, as diffusers' ONNX pipelines pass np.array([t], dtype=int64)
    // (Euler linspace timesteps can be fractional: 499.5 at 3 steps becomes 499, not 500).
    switch (spec.type) {
      case 'int64':
        return new ort.Tensor('int64', new BigInt64Array(count).fill(BigInt(Math.trunc(t))), dims);
      case 'int32':
        return new ort.Tensor('int32', new Int32Array(count).fill(Math.trunc(t)), dims);
      default:
        return floatTensor(spec, new Float32Array(count).fill(t), dims);
    }
  }

  /**
   * Prompts over 75 tokens arrive as several 77-token chunks on the sequence axis. diffusers' and optimum's
   * exports declare that axis dynamic; an export that pins it to 77 cannot take them, which is said plainly.
   */
  checkSequenceLength(chunks: number): void {
    const declared = this.hidden.shape[1];
    if (chunks > 1 && typeof declared === 'number' && declared !== chunks * 77) {
      throw new EngineError(
        `this model's UNet takes exactly ${declared} tokens (one 75-token chunk), but the prompt needs ${chunks} chunks: shorten it to 75 tokens or remove BREAK`,
      );
    }
  }

  /** One UNet call on a batch. `sample` is [batch, inChannels, h, w]. Returns the prediction [batch, 4, h, w]. */
  async predict(sample: Float32Array, batch: number, h: number, w: number, t: number, cond: UnetConditioning): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = {
      [this.sample.name]: floatTensor(this.sample, sample, [batch, this.inChannels, h, w]),
      [this.hidden.name]: floatTensor(this.hidden, cond.hidden, [batch, cond.sequenceLength, cond.width]),
    };
    if (this.isXL) {
      if (!cond.textEmbeds || !cond.timeIds) throw new EngineError('SDXL UNet needs pooled text embeddings and time ids', 'invalid-model');
      const te = this.part.input('text_embeds')!;
      const ti = this.part.input('time_ids')!;
      feeds[te.name] = floatTensor(te, cond.textEmbeds, [batch, cond.textEmbeds.length / batch]);
      feeds[ti.name] = floatTensor(ti, cond.timeIds, [batch, 6]);
    }
    if (this.takesTimestepCond) {
      const spec = this.part.input('timestep_cond')!;
      const data = cond.timestepCond ?? new Float32Array(batch * this.timestepCondDim);
      feeds[spec.name] = floatTensor(spec, data, [batch, this.timestepCondDim]);
    }
    feeds[this.timestep.name] = this.timestepTensor(t, batch);
    try {
      const out = await this.part.run(feeds, [this.outName]);
      return readFloats(out[this.outName]!);
    } catch (error) {
      // Some exports declare no timestep shape at all: a scalar fails there, so retry once with [1].
      if (this.timestepLayout === 'scalar') {
        this.timestepLayout = 'one';
        feeds[this.timestep.name] = this.timestepTensor(t, batch);
        const out = await this.part.run(feeds, [this.outName]);
        return readFloats(out[this.outName]!);
      }
      throw error;
    }
  }
}
