import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { ProtoWriter } from '../../onnx/onnxProto.js';
import { externalTensorField, rewriteInitializers, type OnnxGraph, type OnnxInitializer } from './onnxProto.js';

/**
 * What onnxruntime-node needs to create a session with LoRA-merged weights, without writing them to disk
 * and without JavaScript holding a copy of the weights the merge leaves alone.
 *
 * Usually (`inline`): the model with each merged weight written into it as raw data, every other weight as
 * it was (inline ones inline, external ones still naming their data file), and the model's folder, from
 * which onnxruntime reads those files itself (`session.model_external_initializers_file_folder_path`), as
 * when it loads the model from its path. JavaScript holds the graph and the merged weights, once.
 *
 * A model over protobuf's 2 GB limit with its merged weights inline (an SDXL UNet whose attention layers all
 * change) falls back to `table`: the merged weights as in-memory files of the `externalData` option. Then
 * onnxruntime insists that every external file be in that table (graph.cc: "External file … not found from
 * the table user provided"), so the other weights' data files are read in too, chunk by chunk: a transient
 * copy of the part's weights until the session exists (onnxruntime copies what it is given).
 */
export interface SessionSource {
  model: Uint8Array;
  /** In-memory files (`table` only). */
  externalData: Array<{ path: string; data: Uint8Array }>;
  /** The model's folder, for its external data files (`inline` only). */
  folder?: string;
  /** Bytes held in JavaScript for the session. */
  bytes: number;
}

/** Session options (under `extra.session`) that go with a source. */
export function sourceSessionOptions(source: SessionSource): Record<string, string> {
  return source.folder !== undefined ? { model_external_initializers_file_folder_path: source.folder } : {};
}

/** protobuf's limit on a whole message (onnxruntime refuses a larger model buffer). */
const PROTOBUF_LIMIT = 2 ** 31 - 1;
/** External data files are read in pieces of at most this size (Node buffers have a limit). */
const CHUNK_BYTES = 1024 ** 3;

/** A TensorProto field (graph field 5) up to its raw_data payload; the payload (size bytes) follows. */
function inlineTensorHead(t: Pick<OnnxInitializer, 'name' | 'dims' | 'dataType'>, size: number): Uint8Array {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  const fields = w.int(2, t.dataType).string(8, t.name).lengthHeader(9, size).finish();
  return new ProtoWriter().lengthHeader(5, fields.length + size).raw(fields).finish();
}

/**
 * `merged` yields each merged weight once (bytes in the weight's own type); `sizes` says their sizes up
 * front, so the inline model is laid out once and each weight copied straight into its place.
 */
export function buildSessionSource(
  graph: OnnxGraph,
  modelDir: string,
  sizes: ReadonlyMap<string, number>,
  merged: Iterable<readonly [string, Uint8Array]>,
  inlineLimitBytes = PROTOBUF_LIMIT - 1024 ** 2,
): SessionSource {
  const inlineBytes = graph.bytes.length + [...sizes.values()].reduce((a, b) => a + b + 64, 0);
  return inlineBytes < inlineLimitBytes ? inlineSource(graph, modelDir, sizes, merged) : tableSource(graph, modelDir, merged);
}

function inlineSource(graph: OnnxGraph, modelDir: string, sizes: ReadonlyMap<string, number>, merged: Iterable<readonly [string, Uint8Array]>): SessionSource {
  const { bytes, graphField } = graph;
  // The graph body as pieces: untouched spans of the model, and for each merged weight its head and a slot.
  const pieces: Array<Uint8Array | { name: string; size: number }> = [];
  let cursor = graphField.dataStart;
  for (const init of graph.initializers) {
    const size = sizes.get(init.name);
    if (size === undefined) continue;
    pieces.push(bytes.subarray(cursor, init.start), inlineTensorHead(init, size), { name: init.name, size });
    cursor = init.end;
  }
  pieces.push(bytes.subarray(cursor, graphField.end));
  const bodyLength = pieces.reduce((n, p) => n + (p instanceof Uint8Array ? p.length : p.size), 0);
  const graphHead = new ProtoWriter().lengthHeader(7, bodyLength).finish();
  const prefix = bytes.subarray(0, graphField.start);
  const suffix = bytes.subarray(graphField.end);
  const model = new Uint8Array(prefix.length + graphHead.length + bodyLength + suffix.length);
  let at = 0;
  const put = (b: Uint8Array) => {
    model.set(b, at);
    at += b.length;
  };
  put(prefix);
  put(graphHead);
  const slots = new Map<string, number>();
  for (const p of pieces) {
    if (p instanceof Uint8Array) put(p);
    else {
      slots.set(p.name, at);
      at += p.size;
    }
  }
  put(suffix);
  for (const [name, data] of merged) {
    const slot = slots.get(name);
    if (slot === undefined || data.length !== sizes.get(name)) throw new Error(`merged weight ${name} does not fit its place in the model`);
    model.set(data, slot);
  }
  return { model, externalData: [], folder: modelDir, bytes: model.length };
}

function readRange(file: string, start: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  const fd = openSync(file, 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, start + done);
      if (n === 0) throw new Error(`${file} ends before the ${length} bytes its model refers to`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}

function tableSource(graph: OnnxGraph, modelDir: string, merged: Iterable<readonly [string, Uint8Array]>): SessionSource {
  const replace = new Map<string, Uint8Array>();
  const externalData: SessionSource['externalData'] = [];
  const inits = new Map(graph.initializers.map((i) => [i.name, i]));
  for (const [name, data] of merged) {
    const path = `atelier-lora-${externalData.length}.bin`;
    replace.set(name, externalTensorField(inits.get(name)!, path, 0, data.length));
    externalData.push({ path, data });
  }
  // The other external weights: chunks of each data file, split between tensors.
  const byFile = new Map<string, OnnxInitializer[]>();
  for (const init of graph.initializers) {
    if (!init.external || replace.has(init.name)) continue;
    const list = byFile.get(init.external.location) ?? [];
    list.push(init);
    byFile.set(init.external.location, list);
  }
  for (const [location, list] of byFile) {
    list.sort((a, b) => a.external!.offset - b.external!.offset);
    let i = 0;
    let chunk = 0;
    while (i < list.length) {
      const start = list[i]!.external!.offset;
      let end = start;
      const members: OnnxInitializer[] = [];
      while (i < list.length) {
        const e = list[i]!.external!;
        const len = e.length >= 0 ? e.length : 0;
        if (members.length > 0 && e.offset + len - start > CHUNK_BYTES) break;
        members.push(list[i]!);
        end = Math.max(end, e.offset + len);
        i++;
      }
      const path = `${location}#${chunk++}`;
      externalData.push({ path, data: readRange(join(modelDir, location), start, end - start) });
      for (const m of members) replace.set(m.name, externalTensorField(m, path, m.external!.offset - start, m.external!.length));
    }
  }
  const model = rewriteInitializers(graph, replace);
  return { model, externalData, bytes: model.length + externalData.reduce((n, e) => n + e.data.length, 0) };
}
