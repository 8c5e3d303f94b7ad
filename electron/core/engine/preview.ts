import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbaImage } from '../image/types.js';
import { floatTensor, OnnxPart, readFloats } from './onnx/part.js';
import type { ProviderPreference } from './onnx/providers.js';
import { downscaleForPreview, modelSpaceToImage } from './pixels.js';
import { EngineError } from './types.js';

export const PREVIEW_MAX_SIDE = 128;

// Community-measured linear maps from SD latents to RGB (rows: latent channel).
const LATENT_RGB_SD = [[0.298, 0.207, 0.208], [0.187, 0.286, 0.173], [-0.158, 0.189, 0.264], [-0.184, -0.271, -0.473]];
const LATENT_RGB_XL = [[0.3651, 0.4232, 0.4341], [-0.2533, -0.0042, 0.1068], [0.1076, 0.1111, -0.0362], [-0.3165, -0.2492, -0.2188]];

/** A free, rough preview: each latent cell mapped linearly to a colour (what most tools show without TAESD). */
export function linearLatentPreview(latents: Float32Array, h: number, w: number, isXL: boolean): RgbaImage {
  const factors = isXL ? LATENT_RGB_XL : LATENT_RGB_SD;
  const plane = h * w;
  const data = new Uint8Array(plane * 4);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let k = 0; k < 4; k++) v += latents[k * plane + p]! * factors[k]![c]!;
      data[p * 4 + c] = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
    }
    data[p * 4 + 3] = 255;
  }
  return downscaleForPreview({ width: w, height: h, data }, PREVIEW_MAX_SIDE);
}

/**
 * A tiny VAE decoder (TAESD) for step previews: close to the final picture at a fraction of the full
 * decoder's cost. Accepts a folder in the diffusers layout (`vae_decoder/model.onnx` + `config.json`),
 * a folder holding `taesd_decoder.onnx`, or the .onnx file itself.
 */
export class PreviewDecoder {
  private constructor(
    private readonly part: OnnxPart,
    /** Latents are divided by this first (AutoencoderTiny: 1.0, i.e. the UNet's own latents). */
    private readonly scalingFactor: number,
    /** diffusers' AutoencoderTiny decodes to [-1, 1]; the original TAESD export to [0, 1]. */
    private readonly range: 'signed' | 'unit',
  ) {}

  static async load(path: string, pref: ProviderPreference): Promise<PreviewDecoder> {
    let file = path;
    let config: Record<string, unknown> = {};
    if (existsSync(path) && statSync(path).isDirectory()) {
      const diffusers = join(path, 'vae_decoder', 'model.onnx');
      file = existsSync(diffusers) ? diffusers : join(path, 'taesd_decoder.onnx');
      const cfgPath = existsSync(diffusers) ? join(path, 'vae_decoder', 'config.json') : join(path, 'config.json');
      if (existsSync(cfgPath)) {
        try {
          config = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
        } catch {
          throw new EngineError(`preview decoder config is not valid JSON: ${cfgPath}`, 'invalid-model');
        }
      }
    }
    if (!existsSync(file)) throw new EngineError(`no preview decoder at ${path}`, 'invalid-model');
    const part = await OnnxPart.create(file, pref);
    const scaling = typeof config['scaling_factor'] === 'number' && config['scaling_factor'] > 0 ? config['scaling_factor'] : 1;
    const range = config['_atelier_output_range'] === 'unit' || /taesd_decoder\.onnx$/.test(file) ? 'unit' : 'signed';
    return new PreviewDecoder(part, scaling, range);
  }

  async decode(latents: Float32Array, h: number, w: number): Promise<RgbaImage> {
    const input = [...this.part.inputs.values()][0]!;
    const output = [...this.part.outputs.keys()][0]!;
    const scaled = this.scalingFactor === 1 ? latents : latents.map((v) => v / this.scalingFactor);
    const out = await this.part.run({ [input.name]: floatTensor(input, scaled, [1, 4, h, w]) }, [output]);
    let px = readFloats(out[output]!);
    if (this.range === 'unit') px = px.map((v) => v * 2 - 1);
    return downscaleForPreview(modelSpaceToImage(px, w * 8, h * 8), PREVIEW_MAX_SIDE);
  }

  release(): Promise<void> {
    return this.part.release();
  }
}
