import type { GrayImage, RgbaImage } from '../image/types.js';

/**
 * Conversions between 8-bit pixels and model space ([-1, 1], planar CHW), as in SD-ONNX.md §3.
 * Transparent pixels are composited over mid-grey first: the VAE has no alpha, and grey is the
 * least biased guess for an empty area (outpainting).
 */
export function imageToModelSpace(img: RgbaImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(3 * n);
  for (let p = 0; p < n; p++) {
    const a = img.data[p * 4 + 3]! / 255;
    for (let c = 0; c < 3; c++) {
      const v = img.data[p * 4 + c]! * a + 127.5 * (1 - a);
      out[c * n + p] = v / 127.5 - 1;
    }
  }
  return out;
}

/** Image `index` of a decoded batch [b, 3, H, W] back to RGBA (opaque). */
export function modelSpaceToImage(data: Float32Array, width: number, height: number, index = 0): RgbaImage {
  const n = width * height;
  const base = index * 3 * n;
  const out = new Uint8Array(n * 4);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) {
      const v = (data[base + c * n + p]! + 1) * 127.5;
      out[p * 4 + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
    out[p * 4 + 3] = 255;
  }
  return { width, height, data: out };
}

/** The 9-channel inpainting UNet's "masked image": masked pixels set to 0 in [-1, 1] space. */
export function maskedModelSpace(img: RgbaImage, mask: GrayImage): Float32Array {
  const out = imageToModelSpace(img);
  const n = img.width * img.height;
  for (let p = 0; p < n; p++) {
    if (mask.data[p]! >= 128) {
      out[p] = 0;
      out[n + p] = 0;
      out[2 * n + p] = 0;
    }
  }
  return out;
}

/** Nearest-neighbour downscale to at most `maxSide` on the long side, for step previews. */
export function downscaleForPreview(img: RgbaImage, maxSide: number): RgbaImage {
  const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
  if (scale === 1) return img;
  const w = Math.max(1, Math.round(img.width * scale));
  const h = Math.max(1, Math.round(img.height * scale));
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(img.height - 1, Math.floor(y / scale));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(img.width - 1, Math.floor(x / scale));
      out.set(img.data.subarray((sy * img.width + sx) * 4, (sy * img.width + sx) * 4 + 4), (y * w + x) * 4);
    }
  }
  return { width: w, height: h, data: out };
}
