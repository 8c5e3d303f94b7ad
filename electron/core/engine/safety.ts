import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { RgbaImage } from '../image/types.js';
import { floatTensor, OnnxPart } from './onnx/part.js';
import type { ProviderPreference } from './onnx/providers.js';
import { EngineError } from './types.js';

/** CLIPImageProcessor defaults, as SD's feature_extractor/preprocessor_config.json ships them. */
const CLIP_DEFAULTS = { size: 224, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] };

interface Preprocess {
  size: number;
  mean: number[];
  std: number[];
}

function readPreprocess(modelDir: string): Preprocess {
  const path = join(modelDir, 'feature_extractor', 'preprocessor_config.json');
  if (!existsSync(path)) return CLIP_DEFAULTS;
  try {
    const cfg = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const crop = cfg['crop_size'];
    const size = typeof crop === 'number' ? crop : typeof crop === 'object' && crop && typeof (crop as { height?: unknown }).height === 'number' ? (crop as { height: number }).height : CLIP_DEFAULTS.size;
    const mean = Array.isArray(cfg['image_mean']) ? (cfg['image_mean'] as number[]) : CLIP_DEFAULTS.mean;
    const std = Array.isArray(cfg['image_std']) ? (cfg['image_std'] as number[]) : CLIP_DEFAULTS.std;
    return { size, mean, std };
  } catch {
    throw new EngineError(`feature_extractor/preprocessor_config.json is not valid JSON: ${path}`, 'invalid-model');
  }
}

/**
 * The safety checker some model folders ship (`safety_checker/model.onnx`), run as diffusers runs
 * it: CLIP-preprocessed pixels plus the images, returning a verdict per image. Loaded only when the
 * user keeps it on, so a disabled checker costs nothing.
 */
export class SafetyChecker {
  private constructor(
    private readonly part: OnnxPart,
    private readonly pre: Preprocess,
  ) {}

  static hasChecker(modelDir: string): boolean {
    return existsSync(join(modelDir, 'safety_checker', 'model.onnx'));
  }

  static async load(modelDir: string, pref: ProviderPreference, file = join(modelDir, 'safety_checker', 'model.onnx')): Promise<SafetyChecker> {
    return new SafetyChecker(await OnnxPart.create(file, pref), readPreprocess(modelDir));
  }

  private async clipInput(image: RgbaImage): Promise<Float32Array> {
    const { size, mean, std } = this.pre;
    // Shortest side to `size`, then a centred crop: CLIPImageProcessor's resize + center_crop.
    const { data } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } })
      .removeAlpha()
      .resize(size, size, { fit: 'cover', position: 'centre', kernel: 'cubic' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const plane = size * size;
    const out = new Float32Array(3 * plane);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) out[c * plane + p] = (data[p * 3 + c]! / 255 - mean[c]!) / std[c]!;
    }
    return out;
  }

  /** True for each image the checker flags. */
  async check(image: RgbaImage): Promise<boolean> {
    const clipSpec = this.part.requireInput('clip_input');
    const imagesSpec = this.part.requireInput('images');
    const nhwc = new Float32Array(image.width * image.height * 3);
    for (let p = 0; p < image.width * image.height; p++) {
      for (let c = 0; c < 3; c++) nhwc[p * 3 + c] = image.data[p * 4 + c]! / 255;
    }
    const size = this.pre.size;
    const outName = this.part.requireOutput('has_nsfw_concepts').name;
    const out = await this.part.run(
      {
        [clipSpec.name]: floatTensor(clipSpec, await this.clipInput(image), [1, 3, size, size]),
        [imagesSpec.name]: floatTensor(imagesSpec, nhwc, [1, image.height, image.width, 3]),
      },
      [outName],
    );
    const verdict = out[outName] as ort.Tensor;
    return Boolean((verdict.data as Uint8Array | boolean[])[0]);
  }

  release(): Promise<void> {
    return this.part.release();
  }
}

/** A heavy blur (three box passes ≈ Gaussian) that leaves shapes and colours but no detail. */
export function blurFlagged(image: RgbaImage): RgbaImage {
  const radius = Math.max(4, Math.round(Math.max(image.width, image.height) / 24));
  let data: Uint8Array = new Uint8Array(image.data);
  const { width: w, height: h } = image;
  const pass = (src: Uint8Array, horizontal: boolean): Uint8Array => {
    const dst = new Uint8Array(src.length);
    const [outer, inner] = horizontal ? [h, w] : [w, h];
    for (let o = 0; o < outer; o++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        const at = (i: number) => {
          const k = Math.min(inner - 1, Math.max(0, i));
          return src[(horizontal ? o * w + k : k * w + o) * 4 + c]!;
        };
        for (let i = -radius; i <= radius; i++) sum += at(i);
        for (let i = 0; i < inner; i++) {
          dst[(horizontal ? o * w + i : i * w + o) * 4 + c] = Math.round(sum / (2 * radius + 1));
          sum += at(i + radius + 1) - at(i - radius);
        }
      }
    }
    return dst;
  };
  for (let k = 0; k < 3; k++) data = pass(pass(data, true), false);
  return { width: w, height: h, data };
}
