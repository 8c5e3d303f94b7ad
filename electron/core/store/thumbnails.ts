import sharp from 'sharp';
import { MAX_IMAGE_PIXELS } from '../image/io.js';
import { writeFileAtomic } from '../files/atomicWrite.js';

/** Longest side of the thumbnails the history panel shows. */
export const THUMBNAIL_SIZE = 192;
export const THUMBNAIL_SIZES = [64, 128, 192, 256, 384, 512] as const;
export type ThumbnailSize = (typeof THUMBNAIL_SIZES)[number];

/** Encodes a WebP thumbnail (fit inside size × size, never enlarged) of an image file. */
export async function renderThumbnail(sourcePath: string, size: number = THUMBNAIL_SIZE): Promise<Buffer> {
  return sharp(sourcePath, { limitInputPixels: MAX_IMAGE_PIXELS })
    .rotate()
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80, effort: 2 })
    .toBuffer();
}

/** Renders and writes the thumbnail atomically, so a cache hit is always a whole file. */
export async function writeThumbnail(sourcePath: string, destPath: string, size: number): Promise<void> {
  const bytes = await renderThumbnail(sourcePath, size);
  await writeFileAtomic(destPath, bytes);
}
