import { crc32, inflateSync } from 'node:zlib';
import { UserError } from '../../shared/userError.js';

/**
 * Reading and writing PNG text chunks (tEXt, zTXt, iTXt) on encoded PNG bytes. Pure byte work, no
 * decoding of pixels. Readers are written for untrusted files: every length is checked against the
 * bytes actually present and the total work is bounded by the file size.
 */

export const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Longest text we inflate from one compressed chunk; real metadata is a few KB. */
const MAX_TEXT_BYTES = 8 * 1024 * 1024;

export class PngFormatError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < PNG_SIGNATURE.length) return false;
  for (let i = 0; i < PNG_SIGNATURE.length; i++) if (bytes[i] !== PNG_SIGNATURE[i]) return false;
  return true;
}

export interface PngChunk {
  type: string;
  /** Offset of the chunk's length field in the file. */
  offset: number;
  data: Uint8Array;
  crcOk: boolean;
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/**
 * Walks the chunks of a PNG up to IEND. A truncated or garbled tail ends the walk (what was read stays);
 * a file without the PNG signature is a PngFormatError.
 */
export function readPngChunks(bytes: Uint8Array): { chunks: PngChunk[]; complete: boolean } {
  if (!isPng(bytes)) throw new PngFormatError('not a PNG file (the PNG signature is missing)');
  const chunks: PngChunk[] = [];
  let at = PNG_SIGNATURE.length;
  while (at + 12 <= bytes.length) {
    const length = u32(bytes, at);
    const end = at + 12 + length;
    if (length > 0x7fffffff || end > bytes.length) return { chunks, complete: false };
    const typeBytes = bytes.subarray(at + 4, at + 8);
    for (const c of typeBytes) {
      const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
      if (!letter) return { chunks, complete: false };
    }
    const type = String.fromCharCode(...typeBytes);
    const data = bytes.subarray(at + 8, at + 8 + length);
    const crcOk = crc32(bytes.subarray(at + 4, at + 8 + length)) >>> 0 === u32(bytes, at + 8 + length);
    chunks.push({ type, offset: at, data, crcOk });
    at = end;
    if (type === 'IEND') return { chunks, complete: true };
  }
  return { chunks, complete: false };
}

/** Builds one chunk (length, type, data, CRC over type+data). */
export function buildChunk(type: string, data: Uint8Array): Uint8Array {
  if (!/^[A-Za-z]{4}$/.test(type)) throw new Error(`invalid PNG chunk type "${type}"`);
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)) >>> 0);
  return out;
}

function checkKeyword(keyword: string): void {
  // PNG spec: 1-79 Latin-1 printable characters, no leading/trailing/double spaces.
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword) || /^ | $| {2}/.test(keyword)) {
    throw new Error(`invalid PNG text keyword "${keyword}"`);
  }
}

function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

export function isLatin1(text: string): boolean {
  return /^[\x00-\xff]*$/.test(text);
}

/** tEXt: keyword NUL text, both Latin-1. */
export function buildTextChunk(keyword: string, text: string): Uint8Array {
  checkKeyword(keyword);
  if (!isLatin1(text)) throw new Error('tEXt chunks hold Latin-1 text only; use an iTXt chunk');
  const k = latin1Bytes(keyword);
  const t = latin1Bytes(text);
  const data = new Uint8Array(k.length + 1 + t.length);
  data.set(k, 0);
  data.set(t, k.length + 1);
  return buildChunk('tEXt', data);
}

/** iTXt, uncompressed: keyword NUL flag(0) method(0) language NUL translated-keyword NUL UTF-8 text. */
export function buildInternationalTextChunk(keyword: string, text: string): Uint8Array {
  checkKeyword(keyword);
  const k = latin1Bytes(keyword);
  const t = new TextEncoder().encode(text);
  const data = new Uint8Array(k.length + 5 + t.length);
  data.set(k, 0);
  // k.length: NUL, +1 compression flag 0, +2 method 0, +3 empty language NUL, +4 empty translation NUL
  data.set(t, k.length + 5);
  return buildChunk('iTXt', data);
}

/** Inserts chunks just before IEND (text may go anywhere after IHDR; before IEND is what encoders do). */
export function insertChunksBeforeIend(png: Uint8Array, extra: Uint8Array[]): Uint8Array {
  const { chunks, complete } = readPngChunks(png);
  const iend = chunks[chunks.length - 1];
  if (!complete || iend.type !== 'IEND') throw new PngFormatError('PNG has no IEND chunk');
  const extraLength = extra.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(png.length + extraLength);
  out.set(png.subarray(0, iend.offset), 0);
  let at = iend.offset;
  for (const c of extra) {
    out.set(c, at);
    at += c.length;
  }
  out.set(png.subarray(iend.offset), at);
  return out;
}

function inflateBounded(data: Uint8Array): Uint8Array | undefined {
  try {
    return inflateSync(data, { maxOutputLength: MAX_TEXT_BYTES });
  } catch {
    return undefined;
  }
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Decodes a tEXt / zTXt / iTXt chunk into keyword and text; undefined when malformed. */
export function decodeTextChunk(chunk: Pick<PngChunk, 'type' | 'data'>): { keyword: string; text: string } | undefined {
  const d = chunk.data;
  const nul = d.indexOf(0);
  if (nul < 1 || nul > 79) return undefined;
  const keyword = latin1.decode(d.subarray(0, nul));
  if (chunk.type === 'tEXt') return { keyword, text: latin1.decode(d.subarray(nul + 1)) };
  if (chunk.type === 'zTXt') {
    if (d[nul + 1] !== 0) return undefined;
    const inflated = inflateBounded(d.subarray(nul + 2));
    return inflated ? { keyword, text: latin1.decode(inflated) } : undefined;
  }
  if (chunk.type === 'iTXt') {
    const compressed = d[nul + 1];
    const method = d[nul + 2];
    if (compressed === undefined || compressed > 1 || method !== 0) return undefined;
    const langEnd = d.indexOf(0, nul + 3);
    if (langEnd < 0) return undefined;
    const transEnd = d.indexOf(0, langEnd + 1);
    if (transEnd < 0) return undefined;
    const body = d.subarray(transEnd + 1);
    const textBytes = compressed ? inflateBounded(body) : body;
    return textBytes ? { keyword, text: utf8.decode(textBytes) } : undefined;
  }
  return undefined;
}

/** Bytes per pixel × 8 for each PNG colour type at depth 8 (grey, RGB, palette, grey+alpha, RGBA). */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Room for metadata chunks (text, ICC, EXIF) beside the pixels; ours carry a few KB. */
const PNG_METADATA_ALLOWANCE = 4 * 1024 * 1024;

/**
 * The most bytes a PNG of these dimensions can honestly take: every row filtered and stored without
 * compression (deflate's stored blocks cost 5 bytes per 64 KiB), IDAT chunking and Adam7 passes (≤ 10%
 * more), plus metadata. A zip entry that inflates past this is not the image it says it is.
 */
export function pngMaxBytes(width: number, height: number, bitsPerPixel = 64): number {
  const raw = height * (1 + Math.ceil((width * bitsPerPixel) / 8));
  return Math.ceil(raw * 1.1) + 5 * Math.ceil(raw / 65535) + PNG_METADATA_ALLOWANCE;
}

/**
 * From the first bytes of what should be a PNG (signature + IHDR, 33 bytes): the most its file may be,
 * for bounded reading out of a zip. Throws PngFormatError for anything else or sides over `maxSide`.
 */
export function pngLimitFromHead(head: Uint8Array, maxSide: number): number {
  if (head.length < 33 || !isPng(head) || String.fromCharCode(...head.subarray(12, 16)) !== 'IHDR') {
    throw new PngFormatError('not a PNG image (the PNG signature or header is missing)');
  }
  const width = u32(head, 16), height = u32(head, 20), depth = head[24], samples = SAMPLES[head[25]];
  if (!samples || ![1, 2, 4, 8, 16].includes(depth)) throw new PngFormatError('PNG header (IHDR) is damaged');
  if (width < 1 || height < 1 || width > maxSide || height > maxSide) {
    throw new PngFormatError(`a ${width}x${height} image is larger than the ${maxSide}x${maxSide} Atelier opens`);
  }
  return pngMaxBytes(width, height, samples * depth);
}
