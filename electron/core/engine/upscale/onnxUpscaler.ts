/**
 * Any ONNX super-resolution model as a `TileUpscaler`. Nothing about a particular exporter is assumed:
 * - the input is the model's one float tensor of rank 4 (NCHW, 3 channels), float32 or float16;
 * - the scale comes from `upscaler.json` beside the model, else from the declared input/output sizes when
 *   both are numbers, else from one probe run on a 64 px tile;
 * - the value range comes from `upscaler.json` (`"range": [lo, hi]`), else [0, 1], which is what the
 *   Real-ESRGAN, SwinIR and Swin2SR exports take;
 * - a fixed declared input size makes every tile that size (tilePlan pads small images).
 */
import { floatTensor, OnnxPart, readFloats, type IoSpec } from '../onnx/part.js';
import type { ProviderPreference } from '../onnx/providers.js';
import { PROVIDER_LABELS } from '../onnx/providers.js';
import { EngineError } from '../types.js';
import type { TileUpscaler } from './tiledUpscale.js';
import { readUpscalerMeta, upscalerFile } from '../../models/upscalerFolder.js';

const PROBE = 64;

function imageInput(part: OnnxPart): IoSpec {
  const candidates = [...part.inputs.values()].filter((s) => (s.type === 'float32' || s.type === 'float16') && s.shape.length === 4);
  if (candidates.length !== 1 || part.inputs.size !== 1) {
    throw new EngineError(`${part.file} is not an image upscaler: it should take one NCHW float image (it declares ${[...part.inputs.values()].map((s) => `${s.name}: ${s.type}[${s.shape.join(', ')}]`).join('; ')})`, 'invalid-model');
  }
  const c = candidates[0]!.shape[1];
  if (typeof c === 'number' && c !== 3) throw new EngineError(`${part.file} takes ${c} channels; an upscaler here takes RGB (3)`, 'invalid-model');
  return candidates[0]!;
}

function imageOutput(part: OnnxPart): IoSpec {
  const out = [...part.outputs.values()].find((s) => (s.type === 'float32' || s.type === 'float16') && s.shape.length === 4);
  if (!out) throw new EngineError(`${part.file} has no NCHW float image output`, 'invalid-model');
  return out;
}

const num = (d: number | string | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);

export interface UpscalerInfo {
  file: string;
  scale: number;
  range: readonly [number, number];
  fixed?: { width: number; height: number };
  inputType: string;
  /** Where the scale was read: metadata file, declared shapes or a probe run. */
  scaleFrom: 'upscaler.json' | 'shapes' | 'probe';
  provider: string;
  suggestedTile?: number;
  notice?: string;
}

export class OnnxUpscaler implements TileUpscaler {
  private constructor(
    private readonly part: OnnxPart,
    private readonly input: IoSpec,
    private readonly output: IoSpec,
    readonly info: UpscalerInfo,
  ) {}

  get scale(): number {
    return this.info.scale;
  }

  get fixed(): { width: number; height: number } | undefined {
    return this.info.fixed;
  }

  static async load(path: string, provider: ProviderPreference = 'auto'): Promise<OnnxUpscaler> {
    const file = upscalerFile(path);
    const meta = readUpscalerMeta(path);
    const part = await OnnxPart.create(file, provider);
    try {
      const input = imageInput(part);
      const output = imageOutput(part);
      const ih = num(input.shape[2]);
      const iw = num(input.shape[3]);
      const fixed = ih && iw ? { width: iw, height: ih } : undefined;
      const range = meta.range ?? ([0, 1] as const);
      const info: UpscalerInfo = {
        file, scale: 0, range, fixed, inputType: input.type, scaleFrom: 'upscaler.json',
        provider: PROVIDER_LABELS[part.load.provider] ?? part.load.provider, suggestedTile: meta.tile, notice: part.load.notice,
      };
      const up = new OnnxUpscaler(part, input, output, info);
      const oh = num(output.shape[2]);
      const ow = num(output.shape[3]);
      if (meta.scale) info.scale = meta.scale;
      else if (ih && iw && oh && ow && oh % ih === 0 && oh / ih === ow / iw) {
        info.scale = oh / ih;
        info.scaleFrom = 'shapes';
      } else {
        const w = fixed?.width ?? PROBE;
        const h = fixed?.height ?? PROBE;
        const { dims } = await up.runRaw(new Float32Array(3 * w * h).fill(0.5), w, h);
        const s = dims[2]! / h;
        if (!Number.isInteger(s) || s < 1 || dims[3]! / w !== s) {
          throw new EngineError(`${file} turned a ${w}×${h} probe into ${dims[3]}×${dims[2]}: not a whole, uniform scale factor`, 'invalid-model');
        }
        info.scale = s;
        info.scaleFrom = 'probe';
      }
      return up;
    } catch (e) {
      await part.release();
      throw e;
    }
  }

  /** One model run on [0, 1] planar RGB; the output still in the model's range. */
  private async runRaw(rgb: Float32Array, width: number, height: number): Promise<{ dims: readonly number[]; data: Float32Array }> {
    const [lo, hi] = this.info.range;
    const x = new Float32Array(rgb.length);
    for (let i = 0; i < rgb.length; i++) x[i] = lo + rgb[i]! * (hi - lo);
    const result = await this.part.run({ [this.input.name]: floatTensor(this.input, x, [1, 3, height, width]) }, [this.output.name]);
    const t = result[this.output.name]!;
    if (t.dims.length !== 4 || t.dims[1] !== 3) throw new EngineError(`${this.info.file} returned [${t.dims.join(', ')}], expected [1, 3, H, W]`, 'invalid-model');
    return { dims: t.dims, data: readFloats(t) };
  }

  async run(rgb: Float32Array, width: number, height: number): Promise<Float32Array> {
    const { data } = await this.runRaw(rgb, width, height);
    const [lo, hi] = this.info.range;
    const k = 1 / (hi - lo);
    // In place is safe: every run gets a fresh output tensor (no pre-allocated fetches here).
    for (let i = 0; i < data.length; i++) data[i] = (data[i]! - lo) * k;
    return data;
  }

  async release(): Promise<void> {
    await this.part.release();
  }
}
