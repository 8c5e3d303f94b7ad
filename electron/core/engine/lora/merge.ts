import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { floatToHalf, fromHalfArray } from '../../onnx/float16.js';
import type { LoraContents, LoraLayer, LoraPart } from '../../models/loraFile.js';
import { ONNX_FLOAT, ONNX_FLOAT16, type OnnxGraph, type OnnxInitializer } from './onnxProto.js';
import type { LoraTarget } from './targets.js';

/** One LoRA as the merge takes it: its layers and the user's strength. */
export interface WeightedLora {
  name: string;
  contents: LoraContents;
  strength: number;
}

/** How one LoRA fits a model: how many of its layers found a weight of the right shape. */
export interface LoraFit {
  name: string;
  matched: number;
  total: number;
  /** UNet layers in the file, and how many of them matched. */
  unetTotal: number;
  unetMatched: number;
  /** A layer that found no weight (or one of another shape), as named in the file. */
  unmatchedExample?: string;
  unsupported: Map<string, number>;
}

function layerShape(l: LoraLayer): { rank: number; out: number; inner: number } {
  const rank = l.down.shape[0] ?? 0;
  const inner = l.down.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = l.up.shape[0] ?? 0;
  const upInner = l.up.shape.slice(1).reduce((a, b) => a * b, 1);
  return { rank: upInner === rank ? rank : -1, out, inner };
}

/** The target each layer of each LoRA lands on, and the fit report per LoRA. */
export function matchLoras(loras: readonly WeightedLora[], targets: ReadonlyMap<LoraPart, ReadonlyMap<string, LoraTarget>>): {
  fits: LoraFit[];
  planned: Array<{ lora: WeightedLora; layer: LoraLayer; target: LoraTarget }>;
} {
  const fits: LoraFit[] = [];
  const planned: Array<{ lora: WeightedLora; layer: LoraLayer; target: LoraTarget }> = [];
  for (const lora of loras) {
    const fit: LoraFit = {
      name: lora.name, matched: 0, total: lora.contents.layers.length, unsupported: lora.contents.unsupported,
      unetTotal: lora.contents.layers.filter((l) => l.part === 'unet').length, unetMatched: 0,
    };
    for (const layer of lora.contents.layers) {
      const target = targets.get(layer.part)?.get(layer.key);
      const s = layerShape(layer);
      if (target && s.rank > 0 && s.out === target.out && s.inner === target.inner) {
        fit.matched++;
        if (layer.part === 'unet') fit.unetMatched++;
        planned.push({ lora, layer, target });
      } else {
        fit.unmatchedExample ??= layer.fileKey;
      }
    }
    fits.push(fit);
  }
  return { fits, planned };
}

/** The initializer's values as float32 (inline or in its external file beside the model). */
export function readInitializer(init: OnnxInitializer, graph: OnnxGraph, modelDir: string): Float32Array {
  let bytes: Uint8Array;
  if (init.external) {
    const fd = openSync(join(modelDir, init.external.location), 'r');
    try {
      const count = init.dims.reduce((a, b) => a * b, 1) * (init.dataType === ONNX_FLOAT16 ? 2 : 4);
      bytes = new Uint8Array(init.external.length >= 0 ? init.external.length : count);
      readSync(fd, bytes, 0, bytes.length, init.external.offset);
    } finally {
      closeSync(fd);
    }
  } else if (init.raw) {
    // a copy at offset 0 (the model buffer may be a Buffer pool view with any alignment)
    bytes = new Uint8Array(init.raw.end - init.raw.start);
    bytes.set(graph.bytes.subarray(init.raw.start, init.raw.end));
  } else if (init.floatData) {
    return Float32Array.from(init.floatData);
  } else if (init.int32Data && init.dataType === ONNX_FLOAT16) {
    return fromHalfArray(Uint16Array.from(init.int32Data));
  } else {
    throw new Error(`weight ${init.name} has no data the merge can read`);
  }
  if (init.dataType === ONNX_FLOAT) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  if (init.dataType === ONNX_FLOAT16) return fromHalfArray(new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2));
  throw new Error(`weight ${init.name} has ONNX data type ${init.dataType}; only float32 and float16 weights can take a LoRA`);
}

/** Adds s·(α/r)·up·down to w in place, in w's layout. */
function addDelta(w: Float32Array, target: LoraTarget, layer: LoraLayer, strength: number): void {
  const rank = layer.down.shape[0]!;
  const scale = strength * ((layer.alpha ?? rank) / rank);
  const down = layer.down.data; // [rank, inner]
  const up = layer.up.data; // [out, rank]
  const { out, inner } = target;
  const row = new Float32Array(inner);
  for (let o = 0; o < out; o++) {
    row.fill(0);
    for (let k = 0; k < rank; k++) {
      const u = up[o * rank + k]! * scale;
      if (u === 0) continue;
      const d = k * inner;
      for (let i = 0; i < inner; i++) row[i]! += u * down[d + i]!;
    }
    if (target.layout === 'out-in') {
      const base = o * inner;
      for (let i = 0; i < inner; i++) w[base + i]! += row[i]!;
    } else {
      for (let i = 0; i < inner; i++) w[i * out + o]! += row[i]!;
    }
  }
}

/** The weights these layers change, each with the layers (and strengths) that change it. */
function groupByWeight(planned: ReadonlyArray<{ lora: WeightedLora; layer: LoraLayer; target: LoraTarget }>) {
  const byInit = new Map<string, { target: LoraTarget; items: Array<{ layer: LoraLayer; strength: number }> }>();
  for (const p of planned) {
    const name = p.target.initializer.name;
    let e = byInit.get(name);
    if (!e) byInit.set(name, (e = { target: p.target, items: [] }));
    e.items.push({ layer: p.layer, strength: p.lora.strength });
  }
  return byInit;
}

const elementBytes = (i: OnnxInitializer) => (i.dataType === ONNX_FLOAT16 ? 2 : 4);

/** Bytes of each distinct weight these layers change, in the model's own data type (what mergeEach yields). */
export function mergedSizes(planned: ReadonlyArray<{ lora: WeightedLora; layer: LoraLayer; target: LoraTarget }>): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [name, { target: { initializer: i } }] of groupByWeight(planned)) sizes.set(name, i.dims.reduce((a, b) => a * b, 1) * elementBytes(i));
  return sizes;
}

/**
 * The merged weights, as bytes in each initializer's own data type, one weight at a time (a generator),
 * so a caller can place each where it goes and drop it: only one weight's float32 working copy is alive.
 */
export function* mergeEach(
  planned: ReadonlyArray<{ lora: WeightedLora; layer: LoraLayer; target: LoraTarget }>,
  graph: OnnxGraph,
  modelDir: string,
): Generator<[string, Uint8Array]> {
  const inits = new Map(graph.initializers.map((i) => [i.name, i]));
  for (const [name, { target, items }] of groupByWeight(planned)) {
    // Σ over LoRAs in float32, then one rounding to the stored type. readInitializer returns a fresh array.
    const w = readInitializer(inits.get(name) ?? target.initializer, graph, modelDir);
    for (const { layer, strength } of items) addDelta(w, target, layer, strength);
    if (target.initializer.dataType === ONNX_FLOAT16) {
      const h = new Uint16Array(w.length);
      for (let i = 0; i < w.length; i++) h[i] = floatToHalf(w[i]!);
      yield [name, new Uint8Array(h.buffer)];
    } else {
      yield [name, new Uint8Array(w.buffer, w.byteOffset, w.byteLength)];
    }
  }
}
