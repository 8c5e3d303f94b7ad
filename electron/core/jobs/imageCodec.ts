import sharp from 'sharp';
import type { GrayImage, RgbaImage } from '../image/types.js';
import { UserError } from '../../shared/userError.js';

/** PNG/JPEG/WebP bytes in, the pieces the backend needs out. Errors are one line for the user. */

const MAX_SIDE = 16384;

export class ImageInputError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

/** Normalises an uploaded/dropped file to PNG bytes (PNG passes through untouched). */
export async function toPng(bytes: Uint8Array): Promise<{ png: Buffer; width: number; height: number }> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch {
    throw new ImageInputError('This file is not an image Atelier can read (PNG, JPEG or WebP).');
  }
  const { format, width, height } = meta;
  if (!width || !height) throw new ImageInputError('The image has no size; the file may be damaged.');
  if (width > MAX_SIDE || height > MAX_SIDE) throw new ImageInputError(`The image is ${width}×${height}; the limit is ${MAX_SIDE} px a side.`);
  if (format !== 'png' && format !== 'jpeg' && format !== 'webp') {
    throw new ImageInputError(`${String(format).toUpperCase()} images are not supported; use PNG, JPEG or WebP.`);
  }
  try {
    const png = format === 'png' ? Buffer.from(bytes) : await sharp(bytes).png().toBuffer();
    // Decode fully once: a truncated file must fail here, not later inside a job.
    if (format === 'png') await sharp(png).raw().toBuffer();
    return { png, width, height };
  } catch {
    throw new ImageInputError('The image is damaged or truncated and cannot be decoded.');
  }
}

export async function decodeRgba(png: Uint8Array): Promise<RgbaImage> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** A mask from any PNG: its red channel (white = repaint), or alpha when the image is transparent paint. */
export async function decodeMask(png: Uint8Array): Promise<GrayImage> {
  const rgba = await decodeRgba(png);
  const out = new Uint8Array(rgba.width * rgba.height);
  for (let i = 0, p = 0; i < out.length; i++, p += 4) out[i] = Math.min(rgba.data[p], rgba.data[p + 3]);
  return { width: rgba.width, height: rgba.height, data: out };
}

export async function encodeSmallPng(image: RgbaImage): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } }).png({ compressionLevel: 1 }).toBuffer();
}
