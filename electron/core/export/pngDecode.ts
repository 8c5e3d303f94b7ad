import { inflateSync } from 'node:zlib';
import type { GrayImage, RgbaImage } from '../image/types.js';
import { MAX_IMAGE_SIDE } from '../../contract/document.js';
import { PngFormatError, readPngChunks } from './pngChunks.js';

/**
 * A small synchronous PNG decoder, so exporters can decode one layer at a time inside ag-psd's
 * synchronous writer (sharp is async only). Handles what PNG encoders commonly write: bit depths
 * 1–16, grey, RGB, palette (with tRNS), grey+alpha, RGBA, non-interlaced. 16-bit samples are reduced to
 * 8 bits by taking the high byte. Sizes are checked before anything is allocated.
 */

export const MAX_DECODE_SIDE = MAX_IMAGE_SIDE;

interface Header {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlace: number;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function readHeader(data: Uint8Array): Header {
  if (data.length !== 13) throw new PngFormatError('PNG header (IHDR) is damaged');
  const v = new DataView(data.buffer, data.byteOffset, 13);
  return { width: v.getUint32(0), height: v.getUint32(4), depth: data[8], colorType: data[9], interlace: data[12] };
}

/**
 * Undoes the per-row filters into a new buffer of `height` rows of `stride` bytes. The first `bpp`
 * bytes of a row and the first row have no left / upper neighbours, so they get their own loops and
 * the hot loops carry no bounds tests.
 */
function unfilter(raw: Uint8Array, height: number, stride: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * stride);
  const lead = Math.min(bpp, stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    const first = y === 0;
    switch (filter) {
      case 0:
        out.set(raw.subarray(src, src + stride), row);
        break;
      case 1:
        out.set(raw.subarray(src, src + lead), row);
        for (let x = bpp; x < stride; x++) out[row + x] = raw[src + x] + out[row + x - bpp];
        break;
      case 2:
        if (first) out.set(raw.subarray(src, src + stride), row);
        else for (let x = 0; x < stride; x++) out[row + x] = raw[src + x] + out[prev + x];
        break;
      case 3:
        if (first) {
          out.set(raw.subarray(src, src + lead), row);
          for (let x = bpp; x < stride; x++) out[row + x] = raw[src + x] + (out[row + x - bpp] >> 1);
        } else {
          for (let x = 0; x < lead; x++) out[row + x] = raw[src + x] + (out[prev + x] >> 1);
          for (let x = bpp; x < stride; x++) out[row + x] = raw[src + x] + ((out[row + x - bpp] + out[prev + x]) >> 1);
        }
        break;
      case 4:
        if (first) {
          // No row above: Paeth picks the left neighbour, as Sub does.
          out.set(raw.subarray(src, src + lead), row);
          for (let x = bpp; x < stride; x++) out[row + x] = raw[src + x] + out[row + x - bpp];
        } else {
          for (let x = 0; x < lead; x++) out[row + x] = raw[src + x] + out[prev + x];
          for (let x = bpp; x < stride; x++) {
            const a = out[row + x - bpp], b = out[prev + x], c = out[prev + x - bpp];
            const pa = b > c ? b - c : c - b; // |p − a| with p = a + b − c
            const pb = a > c ? a - c : c - a; // |p − b|
            const pc0 = a + b - c - c;
            const pc = pc0 < 0 ? -pc0 : pc0; // |p − c|
            out[row + x] = raw[src + x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          }
        }
        break;
      default:
        throw new PngFormatError(`PNG row ${y} has an unknown filter type ${filter}`);
    }
  }
  return out;
}

/** Decodes any supported PNG to 8-bit RGBA. */
export function decodePngRgba(bytes: Uint8Array): RgbaImage {
  const { chunks } = readPngChunks(bytes);
  const ihdr = chunks[0];
  if (!ihdr || ihdr.type !== 'IHDR') throw new PngFormatError('PNG has no header (IHDR)');
  const h = readHeader(ihdr.data);
  const channels = CHANNELS[h.colorType];
  const depthOk = h.colorType === 0 ? [1, 2, 4, 8, 16].includes(h.depth) : h.colorType === 3 ? [1, 2, 4, 8].includes(h.depth) : [8, 16].includes(h.depth);
  if (!channels || !depthOk) throw new PngFormatError(`PNG colour type ${h.colorType} at ${h.depth} bits is not valid`);
  if (h.width < 1 || h.height < 1 || h.width > MAX_DECODE_SIDE || h.height > MAX_DECODE_SIDE) {
    throw new PngFormatError(`PNG is ${h.width}x${h.height}; sides must be 1..${MAX_DECODE_SIDE} pixels`);
  }
  if (h.interlace !== 0) throw new PngFormatError('interlaced PNGs are not supported here; re-save without interlacing');
  for (const c of chunks) {
    if (!c.crcOk && (c.type === 'IHDR' || c.type === 'PLTE' || c.type === 'IDAT' || c.type === 'tRNS')) {
      throw new PngFormatError(`PNG is damaged (checksum of its ${c.type} chunk does not match)`);
    }
  }
  const idat = chunks.filter((c) => c.type === 'IDAT');
  if (idat.length === 0) throw new PngFormatError('PNG has no image data (IDAT)');
  const bitsPerPixel = channels * h.depth;
  const stride = Math.ceil((h.width * bitsPerPixel) / 8);
  const expected = (stride + 1) * h.height;
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat.map((c) => c.data)), { maxOutputLength: expected + 1 });
  } catch (e) {
    throw new PngFormatError(`PNG image data is damaged (${(e as Error).message})`);
  }
  if (raw.length < expected) throw new PngFormatError('PNG image data is truncated');
  const rows = unfilter(raw, h.height, stride, Math.max(1, bitsPerPixel >> 3));

  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  for (const c of chunks) {
    if (c.type === 'PLTE') palette = c.data;
    if (c.type === 'tRNS') trns = c.data;
  }
  if (h.colorType === 3 && !palette) throw new PngFormatError('palette PNG has no palette (PLTE)');

  // Fast paths for what our own encoder writes.
  if (h.depth === 8 && h.colorType === 6) return { width: h.width, height: h.height, data: rows };
  const out = new Uint8Array(h.width * h.height * 4);
  if (h.depth === 8 && !trns && (h.colorType === 0 || h.colorType === 2)) {
    const n = h.width * h.height;
    const g = channels === 3 ? 1 : 0;
    const b = channels === 3 ? 2 : 0;
    for (let p = 0, q = 0, o = 0; p < n; p++, q += channels, o += 4) {
      out[o] = rows[q];
      out[o + 1] = rows[q + g];
      out[o + 2] = rows[q + b];
      out[o + 3] = 255;
    }
    return { width: h.width, height: h.height, data: out };
  }
  const scale = h.depth < 8 ? 255 / ((1 << h.depth) - 1) : 1;
  const maxSample = h.depth < 8 ? (1 << h.depth) - 1 : 0;
  // tRNS for grey/RGB names one fully transparent colour in the image's own bit depth.
  const key = trns && (h.colorType === 0 || h.colorType === 2)
    ? Array.from({ length: trns.length >> 1 }, (_, i) => (trns![2 * i] << 8) | trns![2 * i + 1])
    : undefined;
  for (let y = 0; y < h.height; y++) {
    const row = y * stride;
    for (let x = 0; x < h.width; x++) {
      const o = (y * h.width + x) * 4;
      const sample = (ch: number): number => {
        if (h.depth === 8) return rows[row + x * channels + ch];
        if (h.depth === 16) return (rows[row + (x * channels + ch) * 2] << 8) | rows[row + (x * channels + ch) * 2 + 1];
        const bit = x * h.depth;
        return (rows[row + (bit >> 3)] >> (8 - h.depth - (bit & 7))) & maxSample;
      };
      const to8 = (v: number): number => (h.depth === 16 ? v >> 8 : h.depth < 8 ? Math.round(v * scale) : v);
      switch (h.colorType) {
        case 0: {
          const g = sample(0);
          out[o] = out[o + 1] = out[o + 2] = to8(g);
          out[o + 3] = key && key[0] === g ? 0 : 255;
          break;
        }
        case 2: {
          const r = sample(0), g = sample(1), b = sample(2);
          out[o] = to8(r); out[o + 1] = to8(g); out[o + 2] = to8(b);
          out[o + 3] = key && key.length >= 3 && key[0] === r && key[1] === g && key[2] === b ? 0 : 255;
          break;
        }
        case 3: {
          const i = sample(0);
          if (i * 3 + 2 >= palette!.length) throw new PngFormatError(`PNG pixel uses palette entry ${i}, past the palette's end`);
          out[o] = palette![i * 3]; out[o + 1] = palette![i * 3 + 1]; out[o + 2] = palette![i * 3 + 2];
          out[o + 3] = trns && i < trns.length ? trns[i] : 255;
          break;
        }
        case 4:
          out[o] = out[o + 1] = out[o + 2] = to8(sample(0));
          out[o + 3] = to8(sample(1));
          break;
        default:
          out[o] = to8(sample(0)); out[o + 1] = to8(sample(1)); out[o + 2] = to8(sample(2)); out[o + 3] = to8(sample(3));
      }
    }
  }
  return { width: h.width, height: h.height, data: out };
}

/** Decodes a mask PNG to one gray channel (a colour PNG gives its red channel, the usual mask convention). */
export function decodePngGray(bytes: Uint8Array): GrayImage {
  const rgba = decodePngRgba(bytes);
  const data = new Uint8Array(rgba.width * rgba.height);
  for (let i = 0; i < data.length; i++) data[i] = rgba.data[i * 4];
  return { width: rgba.width, height: rgba.height, data };
}
