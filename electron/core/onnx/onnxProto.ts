/**
 * The few ONNX protobuf messages a model file needs, written by hand (onnx.proto3 field numbers).
 * Enough to write stand-in models without Python or a protobuf library, and to count a model's
 * parameters by walking its initializers without reading their bytes.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** TensorProto.DataType values we use. */
export const ONNX_DTYPE = { float32: 1, int32: 6, int64: 7, float16: 10 } as const;
export type OnnxDtype = keyof typeof ONNX_DTYPE;
export const DTYPE_BYTES: Record<OnnxDtype, number> = { float32: 4, int32: 4, int64: 8, float16: 2 };

/** Protobuf wire encoding into a growable byte list. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(1024);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.buf = new Uint8Array(Math.max(n, 64 * 1024));
    this.pos = 0;
  }

  private varintRaw(v: bigint | number): void {
    let x = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (x >= 0x80n) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.pos++] = Number(x);
  }

  private tag(field: number, wire: number): void {
    this.varintRaw((field << 3) | wire);
  }

  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varintRaw(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).setFloat32(0, v, true);
    this.pos += 4;
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.varintRaw(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
    return this;
  }

  /** A length-delimited field's tag and length only: its `length` payload bytes are written by the caller (e.g. straight into a buffer). */
  lengthHeader(field: number, length: number): this {
    this.tag(field, 2);
    this.varintRaw(length);
    return this;
  }

  /** Bytes that are already wire-encoded fields (copied from another message). */
  raw(data: Uint8Array): this {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated int64 (dims, ints). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varintRaw(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const parts = [...this.chunks, this.buf.subarray(0, this.pos)];
    const size = parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(size);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

export type AttrValue = number | string | number[] | { floats: number[] } | { float: number };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs?: Record<string, AttrValue>;
  domain?: string;
}

export interface ValueSpec {
  name: string;
  dtype: OnnxDtype;
  /** numbers are fixed, strings are named dynamic axes (as optimum names them). */
  shape: ReadonlyArray<number | string>;
}

export interface InitializerSpec {
  name: string;
  dtype: OnnxDtype;
  dims: readonly number[];
  /** Inline bytes, or where the bytes sit in the external data file. */
  raw?: Uint8Array;
  external?: { location: string; offset: number; length: number };
}

function writeAttr(w: ProtoWriter, name: string, v: AttrValue): void {
  w.string(1, name);
  if (typeof v === 'number') {
    w.int(3, v).int(20, 2);
  } else if (typeof v === 'string') {
    w.bytes(4, new TextEncoder().encode(v)).int(20, 3);
  } else if (Array.isArray(v)) {
    for (const x of v) w.int(8, x);
    w.int(20, 7);
  } else if ('floats' in v) {
    for (const x of v.floats) w.float(7, x);
    w.int(20, 6);
  } else {
    w.float(2, v.float).int(20, 1);
  }
}

function writeValueInfo(w: ProtoWriter, v: ValueSpec): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ONNX_DTYPE[v.dtype]);
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

function writeTensor(w: ProtoWriter, t: InitializerSpec): void {
  w.packedInts(1, t.dims);
  w.int(2, ONNX_DTYPE[t.dtype]);
  w.string(8, t.name);
  if (t.external) {
    const entry = (key: string, value: string) => w.message(13, (e) => e.string(1, key).string(2, value));
    entry('location', t.external.location);
    entry('offset', String(t.external.offset));
    entry('length', String(t.external.length));
    w.int(14, 1);
  } else {
    w.bytes(9, t.raw ?? new Uint8Array(0));
  }
}

export interface ModelSpec {
  graphName: string;
  nodes: NodeSpec[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  initializers: InitializerSpec[];
  opset: number;
  metadata?: Record<string, string>;
}

/** A ModelProto (IR 8) with the default domain and Microsoft's contrib domain imported. */
export function encodeModel(m: ModelSpec): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, 8);
  w.string(2, 'atelier-standin');
  w.string(3, '1');
  w.message(7, (g) => {
    for (const n of m.nodes) {
      g.message(1, (nw) => {
        for (const i of n.inputs) nw.string(1, i);
        for (const o of n.outputs) nw.string(2, o);
        nw.string(3, n.name);
        nw.string(4, n.op);
        for (const [k, v] of Object.entries(n.attrs ?? {})) nw.message(5, (a) => writeAttr(a, k, v));
        if (n.domain) nw.string(7, n.domain);
      });
    }
    g.string(2, m.graphName);
    for (const t of m.initializers) g.message(5, (tw) => writeTensor(tw, t));
    for (const v of m.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of m.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (o) => o.string(1, '').int(2, m.opset));
  w.message(8, (o) => o.string(1, 'com.microsoft').int(2, 1));
  for (const [k, v] of Object.entries(m.metadata ?? {})) w.message(14, (e) => e.string(1, k).string(2, v));
  return w.finish();
}

/** Reads a file's protobuf fields sequentially with positioned reads: big payloads are skipped, never loaded. */
class FileFields {
  private readonly buf = Buffer.alloc(16);
  constructor(private readonly fd: number) {}

  private byte(pos: number): number {
    if (readSync(this.fd, this.buf, 0, 1, pos) !== 1) throw new Error('unexpected end of ONNX file');
    return this.buf[0]!;
  }

  varint(pos: number): { value: bigint; next: number } {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte(pos++);
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return { value, next: pos };
      shift += 7n;
    }
  }

  read(pos: number, len: number): Buffer {
    const out = Buffer.alloc(len);
    readSync(this.fd, out, 0, len, pos);
    return out;
  }

  /** Calls visit(field, wire, start, end) for each field in [from, to); for length-delimited ones [start,end) is the payload. */
  each(from: number, to: number, visit: (field: number, wire: number, start: number, end: number, value: bigint) => void): void {
    let pos = from;
    while (pos < to) {
      const key = this.varint(pos);
      const field = Number(key.value >> 3n);
      const wire = Number(key.value & 7n);
      pos = key.next;
      if (wire === 0) {
        const v = this.varint(pos);
        visit(field, wire, pos, v.next, v.value);
        pos = v.next;
      } else if (wire === 2) {
        const len = this.varint(pos);
        const start = len.next;
        const end = start + Number(len.value);
        visit(field, wire, start, end, len.value);
        pos = end;
      } else if (wire === 5) {
        visit(field, wire, pos, pos + 4, 0n);
        pos += 4;
      } else if (wire === 1) {
        visit(field, wire, pos, pos + 8, 0n);
        pos += 8;
      } else {
        throw new Error(`unsupported protobuf wire type ${wire}`);
      }
    }
  }
}

export interface InitializerSummary {
  count: number;
  /** Elements of all initializers: the model's parameters (plus the exporter's small constants). */
  parameters: number;
  /** Element count by data type name. */
  byType: Record<string, number>;
  /** Bytes the initializers declare (elements × element size): what loading them costs in memory. */
  bytes: number;
  /** External-data files the initializers name (location as written), with the furthest byte they need. */
  external: Map<string, number>;
  /** Operator types the graph uses (e.g. MultiHeadAttention tells a fused export from a plain one). */
  opTypes: Set<string>;
}

/** Element sizes by ONNX data type (unknown types count as 4 bytes). */
const TYPE_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

const TYPE_NAMES: Record<number, string> = { 1: 'float32', 6: 'int32', 7: 'int64', 10: 'float16', 11: 'float64', 16: 'bfloat16' };

function readVarint(buf: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++]!;
    value += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return { value, next: pos };
    mul *= 128;
  }
}

function nodeOpType(node: Uint8Array): string | undefined {
  let pos = 0;
  while (pos < node.length) {
    const key = readVarint(node, pos);
    pos = key.next;
    const field = Math.floor(key.value / 8);
    const wire = key.value & 7;
    if (wire === 0) pos = readVarint(node, pos).next;
    else if (wire === 5) pos += 4;
    else if (wire === 1) pos += 8;
    else if (wire === 2) {
      const len = readVarint(node, pos);
      if (field === 4) return new TextDecoder().decode(node.subarray(len.next, len.next + len.value));
      pos = len.next + len.value;
    } else return undefined;
  }
  return undefined;
}

/** Counts parameters of an ONNX file from its initializers' dims, reading only the headers. */
export function summariseInitializers(file: string, size: number): InitializerSummary {
  const fd = openSync(file, 'r');
  try {
    const f = new FileFields(fd);
    const summary: InitializerSummary = { count: 0, parameters: 0, byType: {}, bytes: 0, external: new Map(), opTypes: new Set() };
    f.each(0, size, (field, wire, start, end) => {
      if (field !== 7 || wire !== 2) return; // ModelProto.graph
      f.each(start, end, (gField, gWire, gStart, gEnd) => {
        if (gField === 1 && gWire === 2) {
          // GraphProto.node: small, so read whole and take NodeProto.op_type (field 4).
          const node = f.read(gStart, gEnd - gStart);
          const op = nodeOpType(node);
          if (op) summary.opTypes.add(op);
          return;
        }
        if (gField !== 5 || gWire !== 2) return; // GraphProto.initializer
        let elements = 1;
        let type = 0;
        const ext: Record<string, string> = {};
        f.each(gStart, gEnd, (tField, tWire, tStart, tEnd, value) => {
          if (tField === 13 && tWire === 2) {
            // TensorProto.external_data: StringStringEntryProto { key = 1; value = 2 }
            let key = '', val = '';
            f.each(tStart, tEnd, (eField, eWire, eStart, eEnd) => {
              if (eWire !== 2 || eEnd - eStart > 4096) return;
              if (eField === 1) key = f.read(eStart, eEnd - eStart).toString('utf8');
              else if (eField === 2) val = f.read(eStart, eEnd - eStart).toString('utf8');
            });
            ext[key] = val;
            return;
          }
          if (tField === 1 && tWire === 0) elements *= Number(value);
          else if (tField === 1 && tWire === 2) {
            const packed = f.read(tStart, tEnd - tStart);
            let p = 0;
            while (p < packed.length) {
              let v = 0n;
              let shift = 0n;
              for (;;) {
                const b = packed[p++]!;
                v |= BigInt(b & 0x7f) << shift;
                if ((b & 0x80) === 0) break;
                shift += 7n;
              }
              elements *= Number(v);
            }
          } else if (tField === 2 && tWire === 0) type = Number(value);
        });
        summary.count++;
        summary.parameters += elements;
        const bytes = elements * (TYPE_BYTES[type] ?? 4);
        summary.bytes += bytes;
        if (ext['location'] !== undefined) {
          const end = Number(ext['offset'] ?? 0) + Number(ext['length'] ?? bytes);
          summary.external.set(ext['location'], Math.max(summary.external.get(ext['location']) ?? 0, end));
        }
        const name = TYPE_NAMES[type] ?? `type ${type}`;
        summary.byType[name] = (summary.byType[name] ?? 0) + elements;
      });
    });
    return summary;
  } finally {
    closeSync(fd);
  }
}
