import * as ort from 'onnxruntime-node';
import type { ModelLayout } from '../models/modelFolder.js';
import { floatTensor, readFloats, type IoSpec, type OnnxPart } from './onnx/part.js';
import { TimestepInput } from './onnx/timestepInput.js';
import { EngineError } from './types.js';
import { residualLevels, RESIDUAL_INPUT, type Residuals } from './controlnet/residuals.js';

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

/** SDXL's pooled text_embeds [batch, P] and time_ids [batch, 6], for the UNet and the ControlNet alike. */
export function addSdxlFeeds(part: OnnxPart, cond: UnetConditioning, batch: number, feeds: Record<string, ort.Tensor>, what: string): void {
  if (!cond.textEmbeds || !cond.timeIds) throw new EngineError(`an SDXL ${what} needs pooled text embeddings and time ids`, 'invalid-model');
  const te = part.input('text_embeds')!;
  const ti = part.input('time_ids')!;
  feeds[te.name] = floatTensor(te, cond.textEmbeds, [batch, cond.textEmbeds.length / batch]);
  feeds[ti.name] = floatTensor(ti, cond.timeIds, [batch, 6]);
}

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
  /**
   * ControlNet residual inputs (OnnxStack's ControlNetUNet2DConditionModel): `down_block_N_additional_residual`
   * in N order, then `mid_block_additional_residual`; empty for a plain UNet.
   */
  readonly residualInputs: IoSpec[];
  private readonly sample: IoSpec;
  private readonly timestep: TimestepInput;
  private readonly hidden: IoSpec;
  private readonly outName: string;

  constructor(readonly part: OnnxPart, private readonly layout: ModelLayout) {
    this.sample = part.requireInput('sample');
    this.timestep = new TimestepInput(part.requireInput('timestep', 'timesteps', 't'));
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
    const down = [...part.inputs.values()]
      .map((spec) => ({ spec, m: RESIDUAL_INPUT.exec(spec.name) }))
      .filter((x): x is { spec: IoSpec; m: RegExpExecArray } => x.m !== null)
      .sort((a, b) => Number(a.m[1]) - Number(b.m[1]))
      .map((x) => x.spec);
    const mid = part.input('mid_block_additional_residual');
    this.residualInputs = down.length > 0 && mid ? [...down, mid] : [];
  }

  get takesResiduals(): boolean {
    return this.residualInputs.length > 0;
  }

  /** The text width the UNet declares for encoder_hidden_states (768 for SD 1.x, 2048 for SDXL), if fixed. */
  get hiddenWidth(): number | undefined {
    const d = this.hidden.shape[2];
    return typeof d === 'number' ? d : undefined;
  }

  /**
   * Zero residuals: what a ControlNet-capable UNet gets with no control (or outside a control's start/end),
   * sized from the declared channels and the config's levels.
   */
  zeroResiduals(batch: number, h: number, w: number): Residuals {
    const levels = residualLevels(this.layout.unet.config, this.residualInputs.length - 1);
    if (!levels) {
      throw new EngineError(`${this.layout.name}: its UNet takes ControlNet inputs, but its unet/config.json does not say their sizes`, 'invalid-model');
    }
    const out: Residuals = new Map();
    this.residualInputs.forEach((spec, i) => {
      const { channels, level } = levels[i]!;
      const c = typeof spec.shape[1] === 'number' ? spec.shape[1] : channels;
      const dims = [batch, c, h >> level, w >> level];
      out.set(spec.name, { data: new Float32Array(dims[0]! * dims[1]! * dims[2]! * dims[3]!), dims });
    });
    return out;
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
  async predict(sample: Float32Array, batch: number, h: number, w: number, t: number, cond: UnetConditioning, residuals?: Residuals): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = {
      [this.sample.name]: floatTensor(this.sample, sample, [batch, this.inChannels, h, w]),
      [this.hidden.name]: floatTensor(this.hidden, cond.hidden, [batch, cond.sequenceLength, cond.width]),
    };
    if (this.isXL) addSdxlFeeds(this.part, cond, batch, feeds, 'UNet');
    if (this.takesTimestepCond) {
      const spec = this.part.input('timestep_cond')!;
      const data = cond.timestepCond ?? new Float32Array(batch * this.timestepCondDim);
      feeds[spec.name] = floatTensor(spec, data, [batch, this.timestepCondDim]);
    }
    if (this.takesResiduals) {
      const given = residuals ?? this.zeroResiduals(batch, h, w);
      for (const spec of this.residualInputs) {
        const r = given.get(spec.name);
        if (!r) throw new EngineError(`the ControlNet gave no ${spec.name} for ${this.layout.name}'s UNet`, 'invalid-model');
        feeds[spec.name] = floatTensor(spec, r.data, r.dims);
      }
    }
    const ts = this.timestep;
    feeds[ts.spec.name] = ts.tensor(t, batch);
    try {
      const out = await this.part.run(feeds, [this.outName]);
      return readFloats(out[this.outName]!);
    } catch (error) {
      // Some exports declare no timestep shape at all: a scalar fails there, so retry once with [1].
      if (ts.fallBackFromScalar()) {
        feeds[ts.spec.name] = ts.tensor(t, batch);
        const out = await this.part.run(feeds, [this.outName]);
        return readFloats(out[this.outName]!);
      }
      throw error;
    }
  }
}
