import type { RgbaImage } from '../image/types.js';
import { UserError } from '../../shared/userError.js';
import { MAX_IMAGE_SIDE } from '../../contract/document.js';

/**
 * Reads only the merged (composite) image of a PSD, for colour modes ag-psd refuses: CMYK, 8 or 16
 * bits. Photoshop stores CMYK inverted (255 = no ink); RGB = inverted C/M/Y × inverted K, the usual
 * naive conversion without a colour profile. Every length is checked against the bytes present.
 */

export class PsdCompositeError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

const MAX_SIDE = MAX_IMAGE_SIDE;

export interface PsdHeader {
  version: number;
  channels: number;
  height: number;
  width: number;
  depth: number;
  colorMode: number;
}

export function readPsdHeader(bytes: Uint8Array): PsdHeader {
  if (bytes.length < 26) throw new PsdCompositeError('is too short to be a PSD file');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    version: v.getUint16(4),
    channels: v.getUint16(12),
    height: v.getUint32(14),
    width: v.getUint32(18),
    depth: v.getUint16(22),
    colorMode: v.getUint16(24),
  };
}

/** Unpacks one PackBits row of `length` bytes into `want` bytes of `out` at `at`. */
function unpackBits(src: Uint8Array, start: number, length: number, out: Uint8Array, at: number, want: number): void {
  let i = start;
  const end = start + length;
  let o = 0;
  while (i < end && o < want) {
    const n = src[i++];
    if (n < 128) {
      const count = Math.min(n + 1, want - o, end - i);
      out.set(src.subarray(i, i + count), at + o);
      i += n + 1;
      o += count;
    } else if (n > 128) {
      const count = Math.min(257 - n, want - o);
      out.fill(src[i++], at + o, at + o + count);
      o += count;
    } else {
      i++; // 128: no-op
    }
  }
  if (o < want) throw new PsdCompositeError('is damaged (a row of the merged image is short)');
}

/** The merged image of a CMYK PSD (version 1, 8 or 16 bits, raw or RLE) as RGBA. */
export function readCmykComposite(bytes: Uint8Array): RgbaImage {
  const h = readPsdHeader(bytes);
  if (h.version !== 1) throw new PsdCompositeError('is a large-document (PSB) file, which Atelier cannot open');
  if (h.colorMode !== 4) throw new PsdCompositeError('is not a CMYK file');
  if (h.depth !== 8 && h.depth !== 16) throw new PsdCompositeError(`uses ${h.depth}-bit CMYK, which Atelier cannot open`);
  if (h.width < 1 || h.height < 1 || h.width > MAX_SIDE || h.height > MAX_SIDE) {
    throw new PsdCompositeError(`is ${h.width}x${h.height}; Atelier opens documents up to ${MAX_SIDE}x${MAX_SIDE}`);
  }
  if (h.channels < 4 || h.channels > 56) throw new PsdCompositeError(`has ${h.channels} channels; CMYK needs at least 4`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 26;
  for (let section = 0; section < 3; section++) {
    if (at + 4 > bytes.length) throw new PsdCompositeError('is truncated');
    at += 4 + v.getUint32(at);
  }
  if (at + 2 > bytes.length) throw new PsdCompositeError('is truncated (no merged image)');
  const compression = v.getUint16(at);
  at += 2;
  const { width, height } = h;
  const bps = h.depth / 8;
  const planes = Math.min(h.channels, 5); // C, M, Y, K and an alpha if present
  const rowBytes = width * bps;
  const plane = new Uint8Array(rowBytes * height);
  const out = new Uint8Array(width * height * 4);
  out.fill(255);
  const ink = [new Uint8Array(width * height), new Uint8Array(width * height), new Uint8Array(width * height), new Uint8Array(width * height)];
  let counts = at;
  if (compression === 1) {
    if (counts + h.channels * height * 2 > bytes.length) throw new PsdCompositeError('is truncated (merged image row table)');
    at += h.channels * height * 2;
  } else if (compression !== 0) {
    throw new PsdCompositeError(`stores its merged image with compression ${compression}, which Atelier cannot read`);
  }
  for (let c = 0; c < planes; c++) {
    if (compression === 0) {
      if (at + plane.length > bytes.length) throw new PsdCompositeError('is truncated (merged image data)');
      plane.set(bytes.subarray(at, at + plane.length));
      at += plane.length;
    } else {
      for (let y = 0; y < height; y++) {
        const n = v.getUint16(counts);
        counts += 2;
        if (at + n > bytes.length) throw new PsdCompositeError('is truncated (merged image data)');
        unpackBits(bytes, at, n, plane, y * rowBytes, rowBytes);
        at += n;
      }
    }
    const target = c < 4 ? ink[c] : undefined;
    for (let p = 0; p < width * height; p++) {
      const value = plane[p * bps]; // 16-bit: big-endian, the high byte first
      if (target) target[p] = value;
      else out[p * 4 + 3] = value;
    }
  }
  const [cy, ma, ye, k] = ink;
  for (let p = 0; p < width * height; p++) {
    out[p * 4] = (cy[p] * k[p]) / 255 + 0.5;
    out[p * 4 + 1] = (ma[p] * k[p]) / 255 + 0.5;
    out[p * 4 + 2] = (ye[p] * k[p]) / 255 + 0.5;
  }
  return { width, height, data: out };
}
