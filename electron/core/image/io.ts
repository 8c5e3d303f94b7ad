import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { GrayImage, RgbaImage } from './types.js';
import { checkMemoryBudget, openImagePeakBytes } from './memoryBudget.js';
import { UserError, toUserMessage } from '../../shared/userError.js';

/** A user-facing image failure (missing, unreadable, absurd size). */
export class ImageReadError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

const MAX_PIXELS = 16384 * 16384;

async function load(pathOrBytes: string | Uint8Array, what: string): Promise<sharp.Sharp> {
  let size = { width: 0, height: 0 };
  let img: sharp.Sharp;
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
  try {
    img = sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'error' });
    const meta = await img.metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    size = { width: meta.width, height: meta.height };
  } catch (error) {
    const reason = toUserMessage(error);
    throw new ImageReadError(`${what}${name} is not a readable image (${reason})`);
  }
  // From the header alone, before a pixel is decoded.
  checkMemoryBudget(openImagePeakBytes(size.width, size.height), `Opening ${what}${name} (${size.width}x${size.height})`, 'scale it down in another program first');
  return img.rotate(); // honour EXIF orientation, as every viewer does
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

/** A mask file: white repaints, black keeps. Transparent pixels count as black. */
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

/** Resize to a generation size (multiples of 8) when the user's image has another size. */
export async function resizeRgba(image: RgbaImage, width: number, height: number): Promise<RgbaImage> {
  if (image.width === width && image.height === height) return image;
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
