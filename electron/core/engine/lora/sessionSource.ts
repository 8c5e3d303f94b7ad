import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { externalTensorField, rewriteInitializers, type OnnxGraph, type OnnxInitializer } from './onnxProto.js';

/**
 * What onnxruntime-node needs to create a session from merged weights held in memory: a model
 * whose initializers all point into "files" that exist only as buffers (the `externalData`
 * session option). Nothing is written to disk and the model's own files are only read.
 *
 * The rewritten model is small (graph and tensor headers): inline weights point into the
 * original model bytes, external ones into chunks of their data files read into memory, merged
 * ones into one buffer of their own. onnxruntime wants every external file of such a model in
 * that table, so weights kept in `model.onnx_data` are read in too.
 */
export interface SessionSource {
  model: Uint8Array;
  externalData: Array<{ path: string; data: Uint8Array }>;
  /** Bytes held in memory for the session (model + every external buffer). */
  bytes: number;
}

const MODEL_FILE = 'atelier-model.bin';
const MERGED_FILE = 'atelier-lora-merged.bin';
/** External data files are read in pieces of at most this size (Node buffers have a limit). */
const CHUNK_BYTES = 1024 ** 3;
const ALIGN = 64;
/**
 * Small tensors stay inline: onnxruntime reads some constants (a OneHot depth, a Reshape shape) during
 * shape inference, before in-memory external data is attached ("Cannot parse data from external tensors").
 */
const INLINE_BELOW = 4096;

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

export function buildSessionSource(graph: OnnxGraph, modelDir: string, merged: ReadonlyMap<string, Uint8Array>): SessionSource {
  const replace = new Map<string, Uint8Array>();
  // merged weights, 64-byte aligned in one buffer
  let mergedLen = 0;
  const mergedAt = new Map<string, number>();
  for (const [name, data] of merged) {
    mergedAt.set(name, mergedLen);
    mergedLen += Math.ceil(data.length / ALIGN) * ALIGN;
  }
  const mergedBuf = new Uint8Array(mergedLen);
  for (const [name, data] of merged) mergedBuf.set(data, mergedAt.get(name)!);

  const external: OnnxInitializer[] = [];
  for (const init of graph.initializers) {
    const at = mergedAt.get(init.name);
    if (at !== undefined) {
      replace.set(init.name, externalTensorField(init, MERGED_FILE, at, merged.get(init.name)!.length));
    } else if (init.external) {
      external.push(init);
    } else if (init.raw && init.raw.end - init.raw.start >= INLINE_BELOW) {
      replace.set(init.name, externalTensorField(init, MODEL_FILE, init.raw.start, init.raw.end - init.raw.start));
    }
  }
  const externalData = [{ path: MODEL_FILE, data: graph.bytes }, { path: MERGED_FILE, data: mergedBuf }];
  // External weights: chunks of each data file, split between tensors.
  const byFile = new Map<string, OnnxInitializer[]>();
  for (const init of external) {
    const list = byFile.get(init.external!.location) ?? [];
    list.push(init);
    byFile.set(init.external!.location, list);
  }
  for (const [location, inits] of byFile) {
    inits.sort((a, b) => a.external!.offset - b.external!.offset);
    let i = 0;
    let chunk = 0;
    while (i < inits.length) {
      const start = inits[i]!.external!.offset;
      let end = start;
      const members: OnnxInitializer[] = [];
      while (i < inits.length) {
        const e = inits[i]!.external!;
        const len = e.length >= 0 ? e.length : 0;
        if (members.length > 0 && e.offset + len - start > CHUNK_BYTES) break;
        members.push(inits[i]!);
        end = Math.max(end, e.offset + len);
        i++;
      }
      const path = `${location}#${chunk++}`;
      externalData.push({ path, data: readRange(join(modelDir, location), start, end - start) });
      for (const m of members) {
        replace.set(m.name, externalTensorField(m, path, m.external!.offset - start, m.external!.length));
      }
    }
  }
  const model = rewriteInitializers(graph, replace);
  return { model, externalData, bytes: model.length + externalData.reduce((n, e) => n + e.data.length, 0) };
}
