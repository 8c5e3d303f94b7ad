import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { GrayImage, RgbaImage } from './types.js';
import { checkMemoryBudget, openImagePeakBytes } from './memoryBudget.js';
import { UserError, toUserMessage } from '../../shared/userError.js';
import { MAX_IMAGE_SIDE } from '../../contract/document.js';

/**
 * THE image codec of the core: every image and mask read from a file, an upload or the image store goes
 * through here, under one set of rules — at most MAX_IMAGE_SIDE px a side and the memory budget, both
 * checked from the header before a pixel is decoded; EXIF orientation honoured (as every viewer does);
 * failures are one sentence (ImageReadError). Masks: white repaints, black keeps (readMask).
 */

/** A user-facing image failure (missing, unreadable, damaged, absurd size). */
export class ImageReadError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

export { MAX_IMAGE_SIDE };
export const MAX_IMAGE_PIXELS = MAX_IMAGE_SIDE * MAX_IMAGE_SIDE;

/** The size rules, from the header alone. `what` starts the sentence ("The image", "mask /path/m.png"). */
function checkSize(width: number, height: number, what: string): void {
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) throw new ImageReadError(`${what} is ${width}×${height}; the limit is ${MAX_IMAGE_SIDE} px a side.`);
  checkMemoryBudget(openImagePeakBytes(width, height), `Opening ${what} (${width}x${height})`, 'scale it down in another program first');
}

const open = (bytes: Uint8Array): sharp.Sharp => sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' });

async function load(pathOrBytes: string | Uint8Array, what: string): Promise<sharp.Sharp> {
  let bytes: Uint8Array;
  if (typeof pathOrBytes === 'string') {
    try {
      bytes = await readFile(pathOrBytes);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ImageReadError(code === 'ENOENT' ? `${what} not found: ${pathOrBytes}` : `cannot read ${what} ${pathOrBytes}: ${code ?? error}`);
    }
  } else {
    bytes = pathOrBytes;
  }
  const name = typeof pathOrBytes === 'string' ? ` ${pathOrBytes}` : '';
  const img = open(bytes);
  let meta: sharp.Metadata;
  try {
    meta = await img.metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
  } catch (error) {
    throw new ImageReadError(`${what}${name} is not a readable image (${toUserMessage(error)})`);
  }
  checkSize(meta.width, meta.height, `${what}${name}`);
  return img.rotate();
}

export async function readRgba(pathOrBytes: string | Uint8Array, what = 'image'): Promise<RgbaImage> {
  const img = await load(pathOrBytes, what);
  try {
    const { data, info } = await img.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    throw new ImageReadError(`${what} could not be decoded (${toUserMessage(error)})`);
  }
}

/**
 * A mask, whatever made it (the app's gray PNG, the CLI's file, a transparent paint layer): white repaints,
 * black keeps. The image is flattened on black (transparent = keep, half-transparent white = half repaint),
 * then its luminance is the mask value (a neutral grey v stays exactly v; a coloured pixel counts by its
 * brightness, as in every other editor's "mask from image").
 */
export async function readMask(pathOrBytes: string | Uint8Array, what = 'mask'): Promise<GrayImage> {
  const img = await load(pathOrBytes, what);
  try {
    const { data, info } = await img.flatten({ background: '#000000' }).greyscale().raw().toBuffer({ resolveWithObject: true });
    const gray = new Uint8Array(info.width * info.height);
    // greyscale() may still leave several channels on some inputs: take the first.
    for (let i = 0; i < gray.length; i++) gray[i] = data[i * info.channels]!;
    return { width: info.width, height: info.height, data: gray };
  } catch (error) {
    throw new ImageReadError(`${what} could not be decoded (${toUserMessage(error)})`);
  }
}

/**
 * An upload (dropped file, pasted image, the renderer's init image and mask) normalised to PNG bytes for the
 * image store, under the same rules; a PNG with no rotation passes through untouched, byte for byte.
 */
export async function toPng(bytes: Uint8Array): Promise<{ png: Buffer; width: number; height: number }> {
  let meta: sharp.Metadata;
  try {
    meta = await open(bytes).metadata();
  } catch {
    throw new ImageReadError('This file is not an image Atelier can read (PNG, JPEG or WebP).');
  }
  const { format, width, height, orientation } = meta;
  if (!width || !height) throw new ImageReadError('The image has no size; the file may be damaged.');
  checkSize(width, height, 'The image');
  if (format !== 'png' && format !== 'jpeg' && format !== 'webp') {
    throw new ImageReadError(`${String(format).toUpperCase()} images are not supported; use PNG, JPEG or WebP.`);
  }
  // EXIF orientations 5–8 turn the image a quarter: its stored width is then the shown height.
  const rotated = orientation !== undefined && orientation > 1;
  const quarter = rotated && orientation >= 5;
  try {
    // Decoded fully once, strictly (a warning fails too): a truncated upload must fail here, not later inside a job.
    const strict = sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'warning' });
    const png = format === 'png' && !rotated ? Buffer.from(bytes) : await strict.rotate().png().toBuffer();
    if (format === 'png' && !rotated) await strict.raw().toBuffer();
    return { png, width: quarter ? height : width, height: quarter ? width : height };
  } catch {
    throw new ImageReadError('The image is damaged or truncated and cannot be decoded.');
  }
}

/** A mask for the image store: one gray channel (a quarter of an RGBA PNG's pixels); readMask reads it back exactly. */
export async function encodeMaskPng(mask: GrayImage): Promise<Buffer> {
  return sharp(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } }).png({ compressionLevel: 6 }).toBuffer();
}

/** Step previews: fast, not small (compression level 1). */
export async function encodeSmallPng(image: RgbaImage): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } }).png({ compressionLevel: 1 }).toBuffer();
}

/** Resize to a generation size (multiples of 8) when the user's image has another size. */
export async function resizeRgba(image: RgbaImage, width: number, height: number): Promise<RgbaImage> {
  if (image.width === width && image.height === height) return image;
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
