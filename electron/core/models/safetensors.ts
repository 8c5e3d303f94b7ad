import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { fromHalfArray } from '../onnx/float16.js';
import { UserError } from '../../shared/userError.js';

/**
 * A `.safetensors` file (8-byte little-endian header length, JSON header, then the tensors'
 * bytes), read with every size checked before anything is allocated: a LoRA comes from the
 * internet and may be broken or hostile.
 */
export interface SafetensorsFile {
  tensors: Map<string, SafetensorEntry>;
  metadata: Record<string, string>;
}

export interface SafetensorEntry {
  dtype: SafetensorDtype;
  shape: number[];
  /** The tensor as float32 (F16/BF16 widened). */
  data: Float32Array;
}

const DTYPES = { F32: 4, F16: 2, BF16: 2, F64: 8 } as const;
export type SafetensorDtype = keyof typeof DTYPES;

export interface SafetensorsLimits {
  /** Largest file read (a LoRA is tens to hundreds of MB; full checkpoints are refused). */
  maxFileBytes: number;
  maxHeaderBytes: number;
  maxTensors: number;
}

export const LORA_LIMITS: SafetensorsLimits = {
  maxFileBytes: 2 * 1024 ** 3,
  maxHeaderBytes: 16 * 1024 ** 2,
  maxTensors: 20_000,
};

export class SafetensorsError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

function toFloat32(dtype: SafetensorDtype, bytes: Uint8Array): Float32Array {
  // Copy into an aligned buffer first: the file's offsets need not be aligned for the dtype.
  const copy = bytes.slice();
  if (dtype === 'F32') return new Float32Array(copy.buffer, 0, copy.length / 4);
  if (dtype === 'F16') return fromHalfArray(new Uint16Array(copy.buffer, 0, copy.length / 2));
  if (dtype === 'F64') return Float32Array.from(new Float64Array(copy.buffer, 0, copy.length / 8));
  // BF16: the high half of a float32.
  const u16 = new Uint16Array(copy.buffer, 0, copy.length / 2);
  const u32 = new Uint32Array(u16.length);
  for (let i = 0; i < u16.length; i++) u32[i] = u16[i] << 16;
  return new Float32Array(u32.buffer);
}

/** Parses a whole safetensors buffer. Throws SafetensorsError with one sentence on bad input. */
export function parseSafetensors(buf: Uint8Array, limits: SafetensorsLimits = LORA_LIMITS): SafetensorsFile {
  if (buf.length < 8) throw new SafetensorsError('the file is too short to be a .safetensors file');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > limits.maxHeaderBytes || headerLen > buf.length - 8) {
    throw new SafetensorsError(`the file's header claims ${headerLen} bytes, more than the file or the ${limits.maxHeaderBytes}-byte limit allows; it is not a .safetensors file`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + headerLen)));
  } catch {
    throw new SafetensorsError('the file header is not valid JSON; it is not a .safetensors file');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('the file header is not a JSON object; it is not a .safetensors file');
  }
  const dataStart = 8 + headerLen;
  const dataLen = buf.length - dataStart;
  const tensors = new Map<string, SafetensorEntry>();
  let metadata: Record<string, string> = {};
  const entries = Object.entries(header as Record<string, unknown>);
  if (entries.length > limits.maxTensors + 1) throw new SafetensorsError(`the file lists ${entries.length} tensors, more than ${limits.maxTensors}`);
  for (const [name, value] of entries) {
    if (name === '__metadata__') {
      if (value && typeof value === 'object') {
        metadata = Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
      }
      continue;
    }
    const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = v?.dtype;
    if (typeof dtype !== 'string' || !(dtype in DTYPES)) {
      throw new SafetensorsError(`tensor ${name} has dtype ${String(dtype)}; LoRA weights must be F32, F16 or BF16`);
    }
    const shape = v.shape;
    const offsets = v.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0) || shape.length > 8
      || !Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new SafetensorsError(`tensor ${name} has a malformed shape or data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const size = DTYPES[dtype as SafetensorDtype];
    if (end < begin || end > dataLen || end - begin !== count * size) {
      throw new SafetensorsError(`tensor ${name} claims bytes ${begin}..${end}, which do not fit its shape [${(shape as number[]).join(', ')}] or the file`);
    }
    tensors.set(name, {
      dtype: dtype as SafetensorDtype,
      shape: shape as number[],
      data: toFloat32(dtype as SafetensorDtype, buf.subarray(dataStart + begin, dataStart + end)),
    });
  }
  return { tensors, metadata };
}

/** Reads and parses a file, refusing one larger than the limit before reading it. */
export function readSafetensors(file: string, limits: SafetensorsLimits = LORA_LIMITS): SafetensorsFile {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > limits.maxFileBytes) {
      throw new SafetensorsError(`the file is ${(size / 1024 ** 2).toFixed(0)} MB, larger than a LoRA can be (${(limits.maxFileBytes / 1024 ** 2).toFixed(0)} MB)`);
    }
    const buf = new Uint8Array(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buf, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return parseSafetensors(buf.subarray(0, read), limits);
  } finally {
    closeSync(fd);
  }
}
