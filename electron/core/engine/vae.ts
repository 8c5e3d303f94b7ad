import type { ModelLayout } from '../models/modelFolder.js';
import { floatTensor, readFloats, type OnnxPart } from './onnx/part.js';
import type { PartSlot } from './onnx/partSlot.js';
import { EngineError } from './types.js';

/** VAE halves with the model's latent scaling applied at the boundary. */
export class VaeRunner {
  constructor(
    private readonly layout: ModelLayout,
    private readonly decoder: OnnxPart,
    /** Loaded on first use: txt2img never needs it. */
    private readonly encoderSlot?: PartSlot,
  ) {}

  get canEncode(): boolean {
    return this.encoderSlot !== undefined;
  }

  /** Latents [1, 4, h, w] (UNet space) → pixels [1, 3, 8h, 8w] in [-1, 1]. */
  async decode(latents: Float32Array, h: number, w: number): Promise<Float32Array> {
    const spec = this.decoder.requireInput('latent_sample');
    const scaled = new Float32Array(latents.length);
    const inv = 1 / this.layout.vaeScalingFactor;
    for (let i = 0; i < latents.length; i++) scaled[i] = latents[i]! * inv;
    const outName = this.decoder.requireOutput('sample').name;
    const out = await this.decoder.run({ [spec.name]: floatTensor(spec, scaled, [1, 4, h, w]) }, [outName]);
    return readFloats(out[outName]!);
  }

  /**
   * Pixels [1, 3, H, W] in [-1, 1] → latents [1, 4, H/8, W/8] in UNet space. Uses the distribution's
   * mean when the export gives parameters (optimum ≥ 1.23: mean ‖ log-variance), so it is deterministic.
   */
  async encode(pixels: Float32Array, height: number, width: number): Promise<Float32Array> {
    if (!this.encoderSlot) throw new EngineError(`${this.layout.name} has no vae_encoder: img2img and inpaint need one`, 'invalid-model');
    const encoder = await this.encoderSlot.get();
    const spec = encoder.requireInput('sample');
    const outSpec = encoder.requireOutput('latent_sample', 'latent_parameters', 'latent_dist');
    const out = await encoder.run({ [spec.name]: floatTensor(spec, pixels, [1, 3, height, width]) }, [outSpec.name]);
    const tensor = out[outSpec.name]!;
    const data = readFloats(tensor);
    const channels = Number(tensor.dims[1]);
    const plane = (height / 8) * (width / 8);
    if (channels !== 4 && channels !== 8) throw new EngineError(`vae_encoder returned ${channels} channels, expected 4 or 8`, 'invalid-model');
    const latents = new Float32Array(4 * plane);
    const s = this.layout.vaeScalingFactor;
    for (let i = 0; i < latents.length; i++) latents[i] = data[i]! * s;
    return latents;
  }
}
