/**
 * Writes an architecture-exact stand-in model folder (diffusers/optimum ONNX layout) with seeded
 * random weights: what `npm run cli -- models standin` makes, so memory and speed can be measured
 * at real scale without downloading gigabytes. Weights are streamed to `model.onnx_data` (external
 * data, 4 KiB aligned so the runtime can map them) and never held in memory as a whole.
 */
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { floatToHalf } from '../../onnx/float16.js';
import { DEMO_MODEL_RELATIVE, projectRoot } from '../defaultModel.js';
import { buildClipText } from './clipText.js';
import { ARCHITECTURES, tinyArchitecture, type StandinArchitecture, type StandinFamily } from './families.js';
import { elementsOf, type FloatDtype, type Graph, type WeightSpec } from './graph.js';
import { DTYPE_BYTES, encodeModel, type InitializerSpec } from '../../onnx/onnxProto.js';
import { buildUnet } from './unet.js';
import { buildVaeDecoder, buildVaeEncoder } from './vae.js';

export interface StandinOptions {
  family: StandinFamily;
  fp16?: boolean;
  outDir: string;
  /** Scaled-down variant for tests (same graph families and names, tiny widths). */
  tiny?: boolean;
  /**
   * 'fused' (default): UNet and VAE attention as onnxruntime's SD optimizer writes it (MultiHeadAttention);
   * 'plain': MatMul/Softmax/MatMul as a bare torch/optimum export.
   */
  attention?: 'fused' | 'plain';
  seed?: number;
  /** Folder with vocab.json and merges.txt (default: the demo model's tokenizer). */
  tokenizerSource?: string;
  onProgress?: (p: { part: string; doneBytes: number; totalBytes: number }) => void;
}

export interface StandinPartSummary {
  part: string;
  parameters: number;
  published?: number;
  bytes: number;
}

export interface StandinSummary {
  dir: string;
  family: StandinFamily;
  dtype: FloatDtype;
  parts: StandinPartSummary[];
}

const EXTERNAL_FILE = 'model.onnx_data';
const ALIGN = 4096;
/** Tensors smaller than this stay inline in model.onnx, as onnx's save does with its size threshold. */
const INLINE_BELOW = 1024;

function hashName(name: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Fills `out` with the weight's next values (mulberry32 stream per tensor: reproducible, fast). */
function fillChunk(w: WeightSpec, state: { s: number }, out: Float32Array | Uint16Array): void {
  if (w.fill.kind === 'const') {
    out.fill(out instanceof Uint16Array ? floatToHalf(w.fill.value) : w.fill.value);
    return;
  }
  // Two monomorphic loops: this runs billions of times for SDXL.
  const scale = (2 * w.fill.bound) / 4294967296;
  const bound = w.fill.bound;
  let s = state.s;
  if (out instanceof Float32Array) {
    for (let i = 0; i < out.length; i++) {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), 1 | s);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      out[i] = ((t ^ (t >>> 14)) >>> 0) * scale - bound;
    }
  } else {
    for (let i = 0; i < out.length; i++) {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), 1 | s);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      out[i] = floatToHalf(((t ^ (t >>> 14)) >>> 0) * scale - bound);
    }
  }
  state.s = s;
}

/** Writes one part: model.onnx (graph + layout of the external data) then streams the weights. */
function writePart(dir: string, graph: Graph, seed: number, onBytes: (n: number) => void): number {
  mkdirSync(dir, { recursive: true });
  const initializers: InitializerSpec[] = [...graph.constants];
  const external: Array<{ w: WeightSpec; offset: number; length: number }> = [];
  const inline: Array<{ w: WeightSpec; spec: InitializerSpec }> = [];
  let offset = 0;
  for (const w of graph.weights) {
    const length = elementsOf(w.dims) * DTYPE_BYTES[w.dtype];
    if (length < INLINE_BELOW) {
      const spec: InitializerSpec = { name: w.name, dtype: w.dtype, dims: w.dims, raw: new Uint8Array(length) };
      const values = w.dtype === 'float16' ? new Uint16Array(spec.raw!.buffer) : new Float32Array(spec.raw!.buffer);
      fillChunk(w, { s: hashName(w.name, seed) }, values);
      inline.push({ w, spec });
      initializers.push(spec);
      continue;
    }
    offset = Math.ceil(offset / ALIGN) * ALIGN;
    external.push({ w, offset, length });
    initializers.push({ name: w.name, dtype: w.dtype, dims: w.dims, external: { location: EXTERNAL_FILE, offset, length } });
    offset += length;
  }
  const bytes = encodeModel({ graphName: 'main_graph', nodes: graph.nodes, inputs: graph.inputs, outputs: graph.outputs, initializers, opset: 17 });
  writeFileSync(join(dir, 'model.onnx'), bytes);

  const fd = openSync(join(dir, EXTERNAL_FILE), 'w');
  try {
    const CHUNK = 1 << 20;
    for (const { w, offset: at, length } of external) {
      const state = { s: hashName(w.name, seed) };
      const count = length / DTYPE_BYTES[w.dtype];
      let pos = at;
      for (let done = 0; done < count; done += CHUNK) {
        const n = Math.min(CHUNK, count - done);
        const values = w.dtype === 'float16' ? new Uint16Array(n) : new Float32Array(n);
        fillChunk(w, state, values);
        writeSync(fd, new Uint8Array(values.buffer), 0, values.byteLength, pos);
        pos += values.byteLength;
        onBytes(values.byteLength);
      }
    }
  } finally {
    closeSync(fd);
  }
  return bytes.length + offset;
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** CLIP's tokenizer files; SD 2.x and SDXL's second tokenizer pad with "!" (id 0). */
function writeTokenizer(dir: string, source: string, padWithBang: boolean): void {
  mkdirSync(dir, { recursive: true });
  for (const f of ['vocab.json', 'merges.txt']) copyFileSync(join(source, f), join(dir, f));
  const token = (content: string) => ({ content, lstrip: false, normalized: true, rstrip: false, single_word: false });
  const pad = padWithBang ? '!' : '<|endoftext|>';
  writeJson(join(dir, 'special_tokens_map.json'), { bos_token: token('<|startoftext|>'), eos_token: token('<|endoftext|>'), unk_token: token('<|endoftext|>'), pad_token: pad });
  writeJson(join(dir, 'tokenizer_config.json'), {
    add_prefix_space: false,
    bos_token: token('<|startoftext|>'),
    clean_up_tokenization_spaces: true,
    do_lower_case: true,
    eos_token: token('<|endoftext|>'),
    errors: 'replace',
    model_max_length: 77,
    pad_token: pad,
    tokenizer_class: 'CLIPTokenizer',
    unk_token: token('<|endoftext|>'),
  });
}

function clipConfig(c: StandinArchitecture['textEncoder'], dtype: FloatDtype): Record<string, unknown> {
  return {
    architectures: [c.projection ? 'CLIPTextModelWithProjection' : 'CLIPTextModel'],
    model_type: 'clip_text_model',
    hidden_size: c.hidden,
    intermediate_size: c.intermediate,
    num_hidden_layers: c.layers,
    num_attention_heads: c.heads,
    max_position_embeddings: c.maxPositions,
    vocab_size: c.vocabSize,
    hidden_act: c.act,
    layer_norm_eps: c.eps,
    projection_dim: c.projection ?? c.hidden,
    torch_dtype: dtype,
  };
}

export function architectureOf(family: StandinFamily, tiny = false): StandinArchitecture {
  return tiny ? tinyArchitecture(family) : ARCHITECTURES[family];
}

/** The parts a stand-in has, as graphs (cheap to build: no weights are made until written). */
export function standinGraphs(arch: StandinArchitecture, dtype: FloatDtype, fused = true): Array<{ part: string; graph: () => Graph; published?: number }> {
  // SDXL's VAE overflows in fp16 (the community ships an fp16-fixed VAE): keep the VAE in fp32 for it.
  const vaeDtype = arch.family === 'sdxl' ? 'float32' : dtype;
  const parts: Array<{ part: string; graph: () => Graph; published?: number }> = [
    { part: 'text_encoder', graph: () => buildClipText(arch.textEncoder, dtype), published: arch.published.textEncoder },
  ];
  if (arch.textEncoder2) parts.push({ part: 'text_encoder_2', graph: () => buildClipText(arch.textEncoder2!, dtype), published: arch.published.textEncoder2 });
  parts.push(
    { part: 'unet', graph: () => buildUnet(arch.unet, dtype, fused), published: arch.published.unet },
    { part: 'vae_decoder', graph: () => buildVaeDecoder(arch.vae, vaeDtype, fused) },
    { part: 'vae_encoder', graph: () => buildVaeEncoder(arch.vae, vaeDtype, fused) },
  );
  return parts;
}

export function writeStandin(opts: StandinOptions): StandinSummary {
  const arch = architectureOf(opts.family, opts.tiny);
  const dtype: FloatDtype = opts.fp16 ? 'float16' : 'float32';
  const seed = opts.seed ?? 1234;
  const tokenizerSource = opts.tokenizerSource ?? join(projectRoot(), DEMO_MODEL_RELATIVE, 'tokenizer');
  if (!existsSync(join(tokenizerSource, 'vocab.json'))) throw new Error(`no CLIP tokenizer at ${tokenizerSource}`);
  const dir = opts.outDir;
  mkdirSync(dir, { recursive: true });
  const xl = arch.textEncoder2 !== undefined;

  const attention = opts.attention ?? 'fused';
  const graphs = standinGraphs(arch, dtype, attention === 'fused');
  const built = graphs.map((p) => ({ ...p, g: p.graph() }));
  const totalBytes = built.reduce((s, p) => s + p.g.weights.reduce((t, w) => t + elementsOf(w.dims) * DTYPE_BYTES[w.dtype], 0), 0);
  let doneBytes = 0;
  const parts: StandinPartSummary[] = [];
  for (const p of built) {
    const bytes = writePart(join(dir, p.part), p.g, seed, (n) => {
      doneBytes += n;
      opts.onProgress?.({ part: p.part, doneBytes, totalBytes });
    });
    parts.push({ part: p.part, parameters: p.g.parameterCount, published: p.published, bytes });
  }

  writeTokenizer(join(dir, 'tokenizer'), tokenizerSource, arch.family === 'sd-turbo');
  if (xl) writeTokenizer(join(dir, 'tokenizer_2'), tokenizerSource, true);
  writeJson(join(dir, 'text_encoder', 'config.json'), clipConfig(arch.textEncoder, dtype));
  if (arch.textEncoder2) writeJson(join(dir, 'text_encoder_2', 'config.json'), clipConfig(arch.textEncoder2, dtype));
  const u = arch.unet;
  writeJson(join(dir, 'unet', 'config.json'), {
    _class_name: 'UNet2DConditionModel',
    in_channels: u.inChannels,
    out_channels: u.outChannels,
    sample_size: arch.size / 8,
    block_out_channels: u.blockOut,
    layers_per_block: u.layersPerBlock,
    down_block_types: u.down,
    up_block_types: u.up,
    attention_head_dim: u.heads,
    transformer_layers_per_block: u.transformerLayers,
    cross_attention_dim: u.crossDim,
    use_linear_projection: u.linearProjection,
    norm_num_groups: u.groups,
    ...(u.addEmbed ? { addition_embed_type: 'text_time', addition_time_embed_dim: u.addEmbed.timeDim, projection_class_embeddings_input_dim: u.addEmbed.textEmbedDim + 6 * u.addEmbed.timeDim } : {}),
  });
  const vaeConfig = { _class_name: 'AutoencoderKL', block_out_channels: arch.vae.blockOut, layers_per_block: arch.vae.layersPerBlock, latent_channels: arch.vae.latentChannels, norm_num_groups: arch.vae.groups, scaling_factor: arch.vaeScalingFactor, sample_size: arch.size };
  writeJson(join(dir, 'vae_decoder', 'config.json'), vaeConfig);
  writeJson(join(dir, 'vae_encoder', 'config.json'), vaeConfig);
  mkdirSync(join(dir, 'scheduler'), { recursive: true });
  writeJson(join(dir, 'scheduler', 'scheduler_config.json'), arch.scheduler);
  const onnx = ['optimum', 'ORTModel'];
  writeJson(join(dir, 'model_index.json'), {
    _class_name: xl ? 'ORTStableDiffusionXLPipeline' : 'ORTStableDiffusionPipeline',
    _diffusers_version: '0.30.0',
    requires_safety_checker: false,
    scheduler: ['diffusers', arch.scheduler['_class_name']],
    text_encoder: onnx,
    ...(xl ? { text_encoder_2: onnx, tokenizer_2: ['transformers', 'CLIPTokenizer'] } : {}),
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: onnx,
    vae_decoder: onnx,
    vae_encoder: onnx,
    _atelier: {
      label: `${arch.label}${opts.fp16 ? ' · fp16' : ''}`,
      size: [arch.size, arch.size],
      recommended: arch.recommended,
      standin: { family: arch.family, dtype, seed, tiny: opts.tiny ?? false, attention },
    },
  });
  return { dir, family: arch.family, dtype, parts };
}
