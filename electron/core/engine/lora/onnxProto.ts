import { ProtoWriter } from '../../onnx/onnxProto.js';

/**
 * Just enough of the ONNX protobuf (onnx/onnx.proto3) to find a model's weights and the nodes that
 * use them, and to write the model back with some initializers replaced: read the wire format by
 * hand, copy every field we do not touch byte for byte. No protobuf library ships with the app.
 */

/** TensorProto.DataType values we merge into. */
export const ONNX_FLOAT = 1;
export const ONNX_FLOAT16 = 10;

export interface OnnxInitializer {
  name: string;
  dims: number[];
  dataType: number;
  /** Bytes of the whole TensorProto inside the model buffer (to copy or replace it). */
  start: number;
  end: number;
  /** Inline data: raw_data, or float_data / int32_data (fp16 bit patterns) as a fallback. */
  raw?: { start: number; end: number };
  floatData?: Float32Array;
  int32Data?: Int32Array;
  /** data_location EXTERNAL: where the bytes are. */
  external?: { location: string; offset: number; length: number };
}

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes (Gemm's transA/transB, Conv's group). */
  ints: Record<string, number>;
}

export interface OnnxGraph {
  bytes: Uint8Array;
  initializers: OnnxInitializer[];
  nodes: OnnxNode[];
  /** Where the graph field sits in the model (so a rewrite can re-frame it). */
  graphField: { start: number; dataStart: number; end: number };
}

class Reader {
  pos: number;
  constructor(readonly buf: Uint8Array, start: number, readonly end: number) {
    this.pos = start;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Error('varint too long');
  }
  /** Next field: its number, wire type, and for length-delimited fields the payload range. */
  field(): { no: number; wire: number; start: number; dataStart: number; dataEnd: number; value: number } {
    const start = this.pos;
    const key = this.varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    let value = 0;
    let dataStart = this.pos;
    let dataEnd = this.pos;
    if (wire === 0) value = this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else if (wire === 2) {
      const len = this.varint();
      dataStart = this.pos;
      dataEnd = this.pos + len;
      this.pos = dataEnd;
    } else throw new Error(`unsupported wire type ${wire}`);
    if (this.pos > this.end) throw new Error('field runs past its message');
    if (wire !== 2) dataEnd = this.pos;
    return { no, wire, start, dataStart, dataEnd, value };
  }
}

const utf8 = new TextDecoder();
const text = (b: Uint8Array, s: number, e: number) => utf8.decode(b.subarray(s, e));

function packedVarints(buf: Uint8Array, s: number, e: number): number[] {
  const r = new Reader(buf, s, e);
  const out: number[] = [];
  while (r.pos < e) out.push(r.varint());
  return out;
}

function readTensor(buf: Uint8Array, start: number, s: number, e: number): OnnxInitializer {
  const t: OnnxInitializer = { name: '', dims: [], dataType: 0, start, end: e };
  const ext: Record<string, string> = {};
  let location = 0;
  const r = new Reader(buf, s, e);
  while (r.pos < e) {
    const f = r.field();
    if (f.no === 1) {
      if (f.wire === 2) t.dims.push(...packedVarints(buf, f.dataStart, f.dataEnd));
      else t.dims.push(f.value);
    } else if (f.no === 2) t.dataType = f.value;
    else if (f.no === 8) t.name = text(buf, f.dataStart, f.dataEnd);
    else if (f.no === 9) t.raw = { start: f.dataStart, end: f.dataEnd };
    else if (f.no === 4 && f.wire === 2) {
      t.floatData = new Float32Array(buf.slice(f.dataStart, f.dataEnd).buffer);
    } else if (f.no === 5 && f.wire === 2) {
      t.int32Data = Int32Array.from(packedVarints(buf, f.dataStart, f.dataEnd));
    } else if (f.no === 13) {
      const er = new Reader(buf, f.dataStart, f.dataEnd);
      let k = '';
      let v = '';
      while (er.pos < f.dataEnd) {
        const g = er.field();
        if (g.no === 1) k = text(buf, g.dataStart, g.dataEnd);
        if (g.no === 2) v = text(buf, g.dataStart, g.dataEnd);
      }
      ext[k] = v;
    } else if (f.no === 14) location = f.value;
  }
  if (location === 1) {
    t.external = { location: ext.location ?? '', offset: Number(ext.offset ?? 0), length: Number(ext.length ?? -1) };
  }
  return t;
}

function readNode(buf: Uint8Array, s: number, e: number): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', inputs: [], outputs: [], ints: {} };
  const r = new Reader(buf, s, e);
  while (r.pos < e) {
    const f = r.field();
    if (f.no === 1) n.inputs.push(text(buf, f.dataStart, f.dataEnd));
    else if (f.no === 2) n.outputs.push(text(buf, f.dataStart, f.dataEnd));
    else if (f.no === 3) n.name = text(buf, f.dataStart, f.dataEnd);
    else if (f.no === 4) n.opType = text(buf, f.dataStart, f.dataEnd);
    else if (f.no === 5) {
      const ar = new Reader(buf, f.dataStart, f.dataEnd);
      let name = '';
      let i: number | undefined;
      while (ar.pos < f.dataEnd) {
        const g = ar.field();
        if (g.no === 1) name = text(buf, g.dataStart, g.dataEnd);
        if (g.no === 3) i = g.value;
      }
      if (i !== undefined) n.ints[name] = i;
    }
  }
  return n;
}

/** Reads the graph's nodes and initializers (no tensor data is copied). */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraph {
  const top = new Reader(bytes, 0, bytes.length);
  while (top.pos < bytes.length) {
    const f = top.field();
    if (f.no !== 7 || f.wire !== 2) continue;
    const initializers: OnnxInitializer[] = [];
    const nodes: OnnxNode[] = [];
    const g = new Reader(bytes, f.dataStart, f.dataEnd);
    while (g.pos < f.dataEnd) {
      const h = g.field();
      if (h.no === 1) nodes.push(readNode(bytes, h.dataStart, h.dataEnd));
      else if (h.no === 5) initializers.push(readTensor(bytes, h.start, h.dataStart, h.dataEnd));
    }
    return { bytes, initializers, nodes, graphField: { start: f.start, dataStart: f.dataStart, end: f.dataEnd } };
  }
  throw new Error('not an ONNX model (no graph)');
}

// ---------------------------------------------------------------- writing (the stand-ins' ProtoWriter)

/** A TensorProto (as graph field 5) whose data lives in an external (here: in-memory) file. */
export function externalTensorField(t: Pick<OnnxInitializer, 'name' | 'dims' | 'dataType'>, location: string, offset: number, length: number): Uint8Array {
  const entry = (w: ProtoWriter, k: string, v: string) => w.message(13, (e) => e.string(1, k).string(2, v));
  return new ProtoWriter().message(5, (w) => {
    for (const d of t.dims) w.int(1, d);
    w.int(2, t.dataType).string(8, t.name);
    entry(w, 'location', location);
    entry(w, 'offset', String(offset));
    entry(w, 'length', String(length));
    w.int(14, 1); // data_location: EXTERNAL
  }).finish();
}

/**
 * The model with some initializers' TensorProto fields replaced (same order); everything else
 * copied as it was. The graph field is re-framed for its new length.
 */
export function rewriteInitializers(graph: OnnxGraph, replace: Map<string, Uint8Array>): Uint8Array {
  const { bytes, graphField } = graph;
  const body = new ProtoWriter();
  let cursor = graphField.dataStart;
  for (const init of graph.initializers) {
    const field = replace.get(init.name);
    if (!field) continue;
    body.raw(bytes.subarray(cursor, init.start)).raw(field);
    cursor = init.end;
  }
  body.raw(bytes.subarray(cursor, graphField.end));
  return new ProtoWriter().raw(bytes.subarray(0, graphField.start)).bytes(7, body.finish()).raw(bytes.subarray(graphField.end)).finish();
}
