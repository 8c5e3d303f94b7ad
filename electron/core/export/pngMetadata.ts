import sharp from 'sharp';
import type { RgbaImage } from '../image/types.js';
import { formatA1111Parameters } from './a1111Parameters.js';
import { parseGenerationMetadataJson, type GenerationMetadata } from './generationMetadata.js';
import {
  buildInternationalTextChunk,
  buildTextChunk,
  decodeTextChunk,
  insertChunksBeforeIend,
  isLatin1,
  isPng,
  readPngChunks,
} from './pngChunks.js';
import { buildXmpPacket, parseXmpPacket } from './xmpMetadata.js';

export { formatA1111Parameters, parseA1111Parameters, type A1111Parameters } from './a1111Parameters.js';
export type { GenerationMetadata } from './generationMetadata.js';

/** PNG keyword A1111 and the galleries read. */
export const PARAMETERS_KEYWORD = 'parameters';
/** Our own keyword: the full GenerationMetadata as JSON in an iTXt chunk. */
export const ATELIER_KEYWORD = 'atelier';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface ImageMetadata {
  parameters?: string;
  atelier?: GenerationMetadata;
}

function checkImage(image: RgbaImage): void {
  if (
    !Number.isInteger(image.width) || !Number.isInteger(image.height) ||
    image.width < 1 || image.height < 1 || image.data.length !== image.width * image.height * 4
  ) {
    throw new Error(`image data does not match its size ${image.width}x${image.height} (RGBA expected)`);
  }
}

function rawSharp(image: RgbaImage): sharp.Sharp {
  checkImage(image);
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } });
}

/** The text chunks we add to a PNG for `meta`: parameters (tEXt when Latin-1, else iTXt, as Pillow does) and atelier (iTXt). */
export function metadataChunks(meta: GenerationMetadata): Uint8Array[] {
  const parameters = formatA1111Parameters(meta);
  return [
    isLatin1(parameters)
      ? buildTextChunk(PARAMETERS_KEYWORD, parameters)
      : buildInternationalTextChunk(PARAMETERS_KEYWORD, parameters),
    buildInternationalTextChunk(ATELIER_KEYWORD, JSON.stringify(meta)),
  ];
}

/** Encodes RGBA to PNG (sharp), then adds the metadata text chunks before IEND. */
export async function encodePng(image: RgbaImage, meta?: GenerationMetadata): Promise<Buffer> {
  const png = await rawSharp(image).png({ compressionLevel: 6 }).toBuffer();
  if (!meta) return png;
  return Buffer.from(insertChunksBeforeIend(png, metadataChunks(meta)));
}

/**
 * Reads our metadata (and any A1111 `parameters`) from PNG bytes. Throws only for bytes that are not a
 * PNG at all; chunks with a bad CRC, truncated tails and invalid JSON are skipped. Work is linear in size.
 */
export function readPngMetadata(bytes: Uint8Array): ImageMetadata {
  const { chunks } = readPngChunks(bytes);
  const out: ImageMetadata = {};
  for (const chunk of chunks) {
    if (!chunk.crcOk || (chunk.type !== 'tEXt' && chunk.type !== 'iTXt' && chunk.type !== 'zTXt')) continue;
    const decoded = decodeTextChunk(chunk);
    if (!decoded) continue;
    if (decoded.keyword === PARAMETERS_KEYWORD && out.parameters === undefined) out.parameters = decoded.text;
    if (decoded.keyword === ATELIER_KEYWORD && out.atelier === undefined) {
      const meta = parseGenerationMetadataJson(decoded.text);
      if (meta) out.atelier = meta;
    }
  }
  return out;
}

/** XMP for formats without text chunks (JPEG, WebP, PSD). */
export function generationXmp(meta: GenerationMetadata): string {
  return buildXmpPacket({
    parameters: formatA1111Parameters(meta),
    atelier: { generation: JSON.stringify(meta) },
    creatorTool: meta.appVersion ? `Atelier ${meta.appVersion}` : 'Atelier',
  });
}

/** Reads back what generationXmp wrote. Never throws. */
export function metadataFromXmp(xmp: string): ImageMetadata {
  const fields = parseXmpPacket(xmp);
  const out: ImageMetadata = {};
  if (fields.parameters !== undefined) out.parameters = fields.parameters;
  const json = fields.atelier?.['generation'];
  const meta = json ? parseGenerationMetadataJson(json) : undefined;
  if (meta) out.atelier = meta;
  return out;
}

export interface EncodeOptions {
  /** JPEG/WebP quality 1..100 (default 92). Ignored for PNG. */
  quality?: number;
}

/**
 * Encodes to PNG, JPEG or WebP. PNG carries text chunks. JPEG and WebP carry an XMP packet (full
 * Unicode parameters in exif:UserComment + our JSON) and, for EXIF-only readers, an EXIF UserComment;
 * libvips writes that one as ASCII, so it is only set when the parameters are plain ASCII.
 */
export async function encodeImage(
  image: RgbaImage,
  format: ImageFormat,
  options: EncodeOptions = {},
  meta?: GenerationMetadata,
): Promise<Buffer> {
  if (format === 'png') return encodePng(image, meta);
  const quality = options.quality ?? 92;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new Error(`quality must be a whole number from 1 to 100, got ${quality}`);
  }
  let pipeline = rawSharp(image);
  // JPEG has no alpha: lay transparent pixels over white, as galleries expect.
  pipeline = format === 'jpeg' ? pipeline.flatten({ background: '#ffffff' }).jpeg({ quality }) : pipeline.webp({ quality });
  if (meta) {
    const parameters = formatA1111Parameters(meta);
    if (/^[\x20-\x7e\n\t]*$/.test(parameters)) pipeline = pipeline.withExif({ IFD2: { UserComment: parameters } });
    pipeline = pipeline.withXmp(generationXmp(meta));
  }
  return pipeline.toBuffer();
}

/** Picks the format from a file name's extension. */
export function formatFromPath(path: string): ImageFormat | undefined {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext === 'png') return 'png';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  if (ext === 'webp') return 'webp';
  return undefined;
}

/** Metadata from a PNG (text chunks) or a JPEG/WebP (XMP). Throws a clear error for unreadable bytes. */
export async function readImageMetadata(bytes: Uint8Array): Promise<ImageMetadata> {
  if (isPng(bytes)) return readPngMetadata(bytes);
  let info: sharp.Metadata;
  try {
    info = await sharp(bytes).metadata();
  } catch (e) {
    throw new Error(`not a readable image: ${(e as Error).message}`);
  }
  return info.xmp ? metadataFromXmp(info.xmp.toString('utf8')) : {};
}
