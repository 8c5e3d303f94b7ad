/**
 * A small ONNX graph builder and the layers Stable Diffusion is made of (Linear, Conv, GroupNorm,
 * LayerNorm, attention, activations), named as diffusers/transformers name their modules, so a
 * stand-in model has the parameter names (and counts) of the real one.
 *
 * Linear weights are stored as exporters store them for MatMul: [in, out] (torch's [out, in]
 * transposed), under the module's own name (`…to_q.weight`).
 */
import { DTYPE_BYTES, type AttrValue, type InitializerSpec, type NodeSpec, type OnnxDtype, type ValueSpec } from '../../onnx/onnxProto.js';
import { floatToHalf } from '../../onnx/float16.js';

export type FloatDtype = 'float32' | 'float16';

/** How a weight's values are synthesised: seeded uniform in ±bound, or a constant. */
export type Fill = { kind: 'uniform'; bound: number } | { kind: 'const'; value: number };

export interface WeightSpec {
  name: string;
  dims: number[];
  dtype: FloatDtype;
  fill: Fill;
}

export function elementsOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export class Graph {
  readonly nodes: NodeSpec[] = [];
  readonly weights: WeightSpec[] = [];
  readonly constants: InitializerSpec[] = [];
  readonly inputs: ValueSpec[] = [];
  readonly outputs: ValueSpec[] = [];
  private counter = 0;
  private readonly constCache = new Map<string, string>();

  /**
   * Attention as one com.microsoft MultiHeadAttention node (what onnxruntime's Stable Diffusion
   * optimizer writes; its CPU and CUDA kernels avoid materialising the S×S scores) instead of the
   * MatMul/Softmax/MatMul that a plain torch export gives.
   */
  constructor(readonly dtype: FloatDtype, readonly fusedAttention = false) {}

  input(name: string, dtype: OnnxDtype, shape: ReadonlyArray<number | string>): string {
    this.inputs.push({ name, dtype, shape });
    return name;
  }

  /** Marks `value` as a graph output under `name` (an Identity keeps the internal name free). */
  output(name: string, value: string, dtype: OnnxDtype, shape: ReadonlyArray<number | string>): void {
    this.op('Identity', [value], {}, name);
    this.outputs.push({ name, dtype, shape });
  }

  /** A trainable parameter in the model's float type. */
  param(name: string, dims: number[], fill: Fill): string {
    this.weights.push({ name, dims, dtype: this.dtype, fill });
    return name;
  }

  get parameterCount(): number {
    return this.weights.reduce((s, w) => s + elementsOf(w.dims), 0);
  }

  private constant(dtype: OnnxDtype, dims: number[], raw: Uint8Array, key: string): string {
    const cached = this.constCache.get(key);
    if (cached) return cached;
    const name = `/const_${this.constCache.size}`;
    this.constants.push({ name, dtype, dims, raw });
    this.constCache.set(key, name);
    return name;
  }

  /** Small float constant (model dtype unless told). */
  constFloat(values: readonly number[], dims: number[] = [values.length], dtype: FloatDtype = this.dtype): string {
    const raw = new Uint8Array(values.length * DTYPE_BYTES[dtype]);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => (dtype === 'float16' ? view.setUint16(i * 2, floatToHalf(v), true) : view.setFloat32(i * 4, v, true)));
    return this.constant(dtype, dims, raw, `${dtype}:${dims.join('x')}:${values.length <= 64 ? values.join(',') : `${values[0]}…${this.counter++}`}`);
  }

  constInt64(values: readonly number[], dims: number[] = [values.length]): string {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    return this.constant('int64', dims, raw, `i64:${dims.join('x')}:${values.join(',')}`);
  }

  /** Adds a node; returns its (first) output name. */
  op(type: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outName?: string): string {
    return this.opN(type, inputs, 1, attrs, outName)[0]!;
  }

  opN(type: string, inputs: string[], count: number, attrs: Record<string, AttrValue> = {}, outName?: string, domain?: string): string[] {
    const id = this.counter++;
    const base = outName ?? `/${type}_${id}`;
    const outputs = Array.from({ length: count }, (_, i) => (i === 0 ? base : `${base}:${i}`));
    this.nodes.push({ op: type, inputs, outputs, name: `${type}_${id}`, attrs, domain });
    return outputs;
  }

  // ---- elementwise helpers ----
  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  scale(x: string, s: number): string {
    return this.mul(x, this.constFloat([s], []));
  }
  silu(x: string): string {
    return this.mul(x, this.op('Sigmoid', [x]));
  }
  /** Exact GELU (erf), as torch exports it. */
  gelu(x: string): string {
    const erf = this.op('Erf', [this.scale(x, Math.SQRT1_2)]);
    return this.mul(this.scale(x, 0.5), this.add(erf, this.constFloat([1], [])));
  }
  /** CLIP ViT-L's activation: x·σ(1.702x). */
  quickGelu(x: string): string {
    return this.mul(x, this.op('Sigmoid', [this.scale(x, 1.702)]));
  }
  reshape(x: string, shape: readonly number[]): string {
    return this.op('Reshape', [x, this.constInt64(shape)]);
  }
  transpose(x: string, perm: number[]): string {
    return this.op('Transpose', [x], { perm });
  }
  cast(x: string, to: OnnxDtype): string {
    return this.op('Cast', [x], { to: { float32: 1, int32: 6, int64: 7, float16: 10 }[to] });
  }
  /** In the model's float type from float32 (no-op for fp32 models). */
  toModel(x: string): string {
    return this.dtype === 'float32' ? x : this.cast(x, this.dtype);
  }
  toFloat32(x: string): string {
    return this.dtype === 'float32' ? x : this.cast(x, 'float32');
  }
  /** Nearest 2× upsampling (torch's export), in float32 as fp16 conversions keep Resize. */
  upsample2x(x: string): string {
    const resized = this.op('Resize', [this.toFloat32(x), '', this.constFloat([1, 1, 2, 2], [4], 'float32')], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
    return this.toModel(resized);
  }
}

/** torch's default init for Linear/Conv: U(±1/√fan_in), which keeps activations O(1) layer after layer. */
function fanIn(n: number): Fill {
  return { kind: 'uniform', bound: 1 / Math.sqrt(n) };
}
const ONES: Fill = { kind: 'const', value: 1 };
const ZEROS: Fill = { kind: 'const', value: 0 };

export function linear(g: Graph, name: string, x: string, inF: number, outF: number, bias = true): string {
  const w = g.param(`${name}.weight`, [inF, outF], fanIn(inF));
  const y = g.op('MatMul', [x, w]);
  return bias ? g.add(y, g.param(`${name}.bias`, [outF], fanIn(inF))) : y;
}

export function conv(
  g: Graph,
  name: string,
  x: string,
  inC: number,
  outC: number,
  k: number,
  opts: { stride?: number; pads?: number[] } = {},
): string {
  const fan = inC * k * k;
  const w = g.param(`${name}.weight`, [outC, inC, k, k], fanIn(fan));
  const b = g.param(`${name}.bias`, [outC], fanIn(fan));
  const p = k >> 1;
  return g.op('Conv', [x, w, b], {
    kernel_shape: [k, k],
    strides: [opts.stride ?? 1, opts.stride ?? 1],
    pads: opts.pads ?? [p, p, p, p],
  });
}

/** GroupNorm as torch exports it: InstanceNormalization over [N, G, -1], then the per-channel affine. */
export function groupNorm(g: Graph, name: string, x: string, channels: number, groups: number, eps: number): string {
  const grouped = g.reshape(x, [0, groups, -1]);
  const normed = g.op('InstanceNormalization', [grouped, g.constFloat(new Array(groups).fill(1)), g.constFloat(new Array(groups).fill(0))], {
    epsilon: { float: eps },
  });
  const back = g.op('Reshape', [normed, g.op('Shape', [x])]);
  const axes = g.constInt64([1, 2]);
  const w = g.op('Unsqueeze', [g.param(`${name}.weight`, [channels], ONES), axes]);
  const b = g.op('Unsqueeze', [g.param(`${name}.bias`, [channels], ZEROS), axes]);
  return g.add(g.mul(back, w), b);
}

export function layerNorm(g: Graph, name: string, x: string, dim: number, eps: number): string {
  const w = g.param(`${name}.weight`, [dim], ONES);
  const b = g.param(`${name}.bias`, [dim], ZEROS);
  return g.op('LayerNormalization', [x, w, b], { axis: -1, epsilon: { float: eps } });
}

export interface AttentionNames {
  q: string;
  k: string;
  v: string;
  out: string;
  qkvBias: boolean;
}

/**
 * Multi-head attention on [B, S, D] (keys/values from `context` [B, T, Dc] when given), as exporters
 * lower it: MatMul, Softmax, MatMul per head. `mask` is added to the scores ([S, T], broadcast).
 */
export function attention(
  g: Graph,
  names: AttentionNames,
  x: string,
  dim: number,
  heads: number,
  opts: { context?: string; contextDim?: number; mask?: string } = {},
): string {
  const headDim = dim / heads;
  const ctx = opts.context ?? x;
  const ctxDim = opts.contextDim ?? dim;
  const q = linear(g, names.q, x, dim, dim, names.qkvBias);
  const k = linear(g, names.k, ctx, ctxDim, dim, names.qkvBias);
  const v = linear(g, names.v, ctx, ctxDim, dim, names.qkvBias);
  if (g.fusedAttention && !opts.mask) {
    const fused = g.opN('MultiHeadAttention', [q, k, v], 1, { num_heads: heads }, undefined, 'com.microsoft')[0]!;
    return linear(g, names.out, fused, dim, dim, true);
  }
  const split = (t: string, perm: number[]) => g.transpose(g.reshape(t, [0, 0, heads, headDim]), perm);
  const qh = split(g.scale(q, 1 / Math.sqrt(headDim)), [0, 2, 1, 3]); // [B,H,S,d]
  const kh = split(k, [0, 2, 3, 1]); // [B,H,d,T]
  const vh = split(v, [0, 2, 1, 3]); // [B,H,T,d]
  let scores = g.op('MatMul', [qh, kh]);
  if (opts.mask) scores = g.add(scores, opts.mask);
  const probs = g.op('Softmax', [scores], { axis: -1 });
  const merged = g.reshape(g.transpose(g.op('MatMul', [probs, vh]), [0, 2, 1, 3]), [0, 0, dim]);
  return linear(g, names.out, merged, dim, dim, true);
}
