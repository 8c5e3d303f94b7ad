/**
 * Any size the UI accepts (a multiple of 8), on a UNet that needs more: each down block but the last
 * halves the latent, and the skip connections only line up when the latent divides evenly — SD 1.x/2.x
 * and SDXL need 64 px, two-block test models 16 px. The pipeline runs at the size rounded up to that
 * grid, with the init image and mask padded by mirrored context (so img2img and inpaint see a
 * continuation, not a border), and crops the result back to exactly the size asked. Pure, no I/O.
 */
import type { GrayImage, RgbaImage } from '../image/types.js';
import type { ModelLayout } from '../models/modelFolder.js';

/** Pixels per latent cell (the VAE's factor, SD-ONNX.md §2). */
export const VAE_FACTOR = 8;

/** Pixel granularity of a UNet from its config.json: 8 · 2^(down blocks − 1); 64 when the config does not say. */
export function unetPixelGrid(unetConfig: Record<string, unknown>): number {
  const blocks = unetConfig['down_block_types'] ?? unetConfig['block_out_channels'];
  const n = Array.isArray(blocks) && blocks.length > 0 ? blocks.length : 4;
  return VAE_FACTOR * 2 ** (n - 1);
}

/** `v` rounded up to a multiple of `grid`. */
export function roundUpTo(v: number, grid: number): number {
  return Math.ceil(v / grid) * grid;
}

/** Mirror index into 0..n-1 (…2 1 0 1 2… at the edges), for any i. */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/** The image grown to `width × height` at its bottom and right, the new pixels mirrored from the old. */
export function padMirrored(img: RgbaImage, width: number, height: number): RgbaImage {
  if (img.width === width && img.height === height) return img;
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = mirror(y, img.height);
    for (let x = 0; x < width; x++) {
      const s = (sy * img.width + mirror(x, img.width)) * 4;
      out.set(img.data.subarray(s, s + 4), (y * width + x) * 4);
    }
  }
  return { width, height, data: out };
}

/** A mask grown to `width × height` with 0 (keep): the mirrored context is never repainted on purpose. */
export function padMask(mask: GrayImage, width: number, height: number): GrayImage {
  if (mask.width === width && mask.height === height) return mask;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < mask.height; y++) out.set(mask.data.subarray(y * mask.width, (y + 1) * mask.width), y * width);
  return { width, height, data: out };
}

/** The top-left `width × height` of an image. */
export function cropTopLeft(img: RgbaImage, width: number, height: number): RgbaImage {
  if (img.width === width && img.height === height) return img;
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) out.set(img.data.subarray(y * img.width * 4, (y * img.width + width) * 4), y * width * 4);
  return { width, height, data: out };
}

/**
 * A one-sentence warning when a size is far from what the model was made for (it still runs): under half
 * or over twice the recommended side, models repeat or lose their subject. Undefined when it is fine.
 */
export function sizeWarning(width: number, height: number, recommended: number): string | undefined {
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  if (long > recommended * 2) {
    return `${width}×${height} is much larger than this model's ${recommended} px: expect repeated subjects; generating at ${recommended} px and upscaling usually looks better.`;
  }
  if (short < recommended / 2) {
    return `${width}×${height} is much smaller than this model's ${recommended} px: expect little detail.`;
  }
  return undefined;
}

/** The side a model was made for: its recommended size, else its UNet's sample size, else its family's. */
export function recommendedSide(layout: Pick<ModelLayout, 'recommended' | 'unet' | 'family'>): number {
  const r = layout.recommended;
  if (r?.width && r.height) return Math.max(r.width, r.height);
  const sample = layout.unet.config['sample_size'];
  if (typeof sample === 'number' && sample > 0) return sample * VAE_FACTOR;
  return layout.family === 'sdxl' ? 1024 : layout.family === 'sd2' ? 768 : 512;
}
