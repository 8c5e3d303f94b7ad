/**
 * UpscalerJS's ESRGAN packages (npm `@upscalerjs/esrgan-slim|medium|thick`, MIT: real trained RDN/RRDN
 * weights as TensorFlow.js layers models) → an ONNX upscaler folder the engine reads (`model.onnx`, NCHW
 * float RGB, and `upscaler.json` with scale and value range). Plain Node, no Python: users fetch the
 * package with `npm pack @upscalerjs/esrgan-thick` and convert it with `models convert-upscalerjs`.
 *
 * The Keras graph is mapped layer by layer: Conv2D ('same', or 1×1) → Conv, relu → Relu, Concatenate →
 * Concat on channels, Add → Sum, UpscalerJS's MultiplyBeta → Mul 0.2, its PixelShuffleNx
 * (`tf.depthToSpace`, NHWC: channel (i·s + j)·C + c → sub-pixel (i, j)) → DepthToSpace "DCR",
 * UpSampling2D nearest → Resize. The value range is the package's own model definition: RRDN ("thick")
 * [0, 1], RDN ("slim", "medium") [0, 255]. native-models/recipes/convert_upscalerjs.py rebuilds the same
 * graph in torch and checks it against the package's published TF.js sample (within 1 level).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { floatToHalf } from '../onnx/float16.js';
import { UPSCALER_META_FILE, type UpscalerMeta } from './upscalerFolder.js';
import { encodeModel, type InitializerSpec, type NodeSpec } from '../onnx/onnxProto.js';
import { UserError } from '../../shared/userError.js';

export class UpscalerJsError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

const LayerSchema = z.object({
  class_name: z.string(),
  config: z.object({ name: z.string() }).passthrough(),
  inbound_nodes: z.array(z.array(z.array(z.unknown()))),
});
const ModelJsonSchema = z.object({
  format: z.literal('layers-model'),
  modelTopology: z.object({ model_config: z.object({ config: z.object({ layers: z.array(LayerSchema).min(2) }) }) }),
  weightsManifest: z.array(z.object({
    paths: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'weight shard names must be plain file names')),
    weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.string(), quantization: z.unknown().optional() })),
  })),
});
type Layer = z.infer<typeof LayerSchema>;

export interface UpscalerJsConversion {
  dir: string;
  package: string;
  architecture: 'rdn' | 'rrdn';
  scale: number;
  range: [number, number];
  parameters: number;
  dtype: 'float32' | 'float16';
  bytes: number;
}

/** 'rdn' or 'rrdn', from the file name the package's own model definition gives for this scale. */
function architectureOf(pkgDir: string, scale: number): 'rdn' | 'rrdn' {
  const models = join(pkgDir, 'dist', 'esm', 'models');
  for (const m of existsSync(models) ? readdirSync(models) : []) {
    const f = join(models, m, 'src', `x${scale}`, 'index.js');
    const hit = existsSync(f) ? /'(rr?dn)-/.exec(readFileSync(f, 'utf8')) : null;
    if (hit) return hit[1] as 'rdn' | 'rrdn';
  }
  throw new UpscalerJsError(`cannot tell the architecture of ${pkgDir} ×${scale}: no dist/esm/models/*/src/x${scale}/index.js naming an RDN or RRDN model`);
}

function readWeights(folder: string, manifest: z.infer<typeof ModelJsonSchema>['weightsManifest']): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const group of manifest) {
    const blob = Buffer.concat(group.paths.map((p) => readFileSync(join(folder, p))));
    let offset = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32' || w.quantization !== undefined) throw new UpscalerJsError(`${w.name}: only unquantised float32 weights are supported (this one is ${w.dtype}${w.quantization ? ', quantised' : ''})`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (offset + n * 4 > blob.length) throw new UpscalerJsError(`the weight shards end before ${w.name}`);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = blob.readFloatLE(offset + i * 4);
      out.set(w.name, { shape: w.shape, data });
      offset += n * 4;
    }
    if (offset !== blob.length) throw new UpscalerJsError(`the weight shards hold ${blob.length} bytes; the manifest names ${offset}`);
  }
  return out;
}

function tensorBytes(data: Float32Array, dtype: 'float32' | 'float16'): Uint8Array {
  if (dtype === 'float32') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const half = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) half[i] = floatToHalf(data[i]!);
  return new Uint8Array(half.buffer);
}

/**
 * Converts `<pkgDir>/models/x<scale>/model.json` (an unpacked UpscalerJS ESRGAN package) into `outDir`.
 * fp16: float16 weights, input and output (for GPU providers; the CPU casts back to float32 at load).
 */
export function convertUpscalerJs(opts: { packageDir: string; scale: number; outDir: string; fp16?: boolean }): UpscalerJsConversion {
  const pkgFile = join(opts.packageDir, 'package.json');
  const modelFile = join(opts.packageDir, 'models', `x${opts.scale}`, 'model.json');
  if (!existsSync(pkgFile) || !existsSync(modelFile)) {
    throw new UpscalerJsError(`${opts.packageDir} is not an unpacked UpscalerJS package with a ×${opts.scale} model (expected package.json and models/x${opts.scale}/model.json)`);
  }
  const pkg = z.object({ name: z.string(), version: z.string(), license: z.string().optional() }).passthrough().parse(JSON.parse(readFileSync(pkgFile, 'utf8')));
  const parsed = ModelJsonSchema.safeParse(JSON.parse(readFileSync(modelFile, 'utf8')));
  if (!parsed.success) throw new UpscalerJsError(`${modelFile} is not a TF.js layers model: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  const architecture = architectureOf(opts.packageDir, opts.scale);
  const range: [number, number] = architecture === 'rrdn' ? [0, 1] : [0, 255];
  const dtype = opts.fp16 ? 'float16' : 'float32';
  const weights = readWeights(join(opts.packageDir, 'models', `x${opts.scale}`), parsed.data.weightsManifest);

  const nodes: NodeSpec[] = [];
  const initializers: InitializerSpec[] = [];
  const value = new Map<string, string>();
  let parameters = 0;
  const init = (name: string, dims: number[], data: Float32Array, as: 'float32' | 'float16' = dtype) => {
    initializers.push({ name, dtype: as, dims, raw: tensorBytes(data, as) });
    return name;
  };
  let beta: string | undefined;
  const layers: Layer[] = parsed.data.modelTopology.model_config.config.layers;
  for (const layer of layers) {
    const cfg = layer.config as Record<string, unknown> & { name: string };
    const name = cfg.name;
    const inputs = (layer.inbound_nodes[0] ?? []).map((n) => {
      const v = value.get(String(n[0]));
      if (!v) throw new UpscalerJsError(`${name}: input ${String(n[0])} is not defined before it`);
      return v;
    });
    const out = `/${name}`;
    const node = (op: string, ins: string[], attrs: NodeSpec['attrs'] = {}) => nodes.push({ op, inputs: ins, outputs: [out], name, attrs });
    switch (layer.class_name) {
      case 'InputLayer':
        value.set(name, 'input');
        continue;
      case 'Conv2D': {
        const k = cfg['kernel_size'] as number[];
        const same = cfg['padding'] === 'same' || (k[0] === 1 && k[1] === 1);
        if (!same || k[0]! % 2 === 0 || k[1]! % 2 === 0 || JSON.stringify(cfg['strides']) !== '[1,1]' || (cfg['activation'] ?? 'linear') !== 'linear') {
          throw new UpscalerJsError(`${name}: Conv2D with ${JSON.stringify({ kernel: k, padding: cfg['padding'], strides: cfg['strides'], activation: cfg['activation'] })} is not supported`);
        }
        const kernel = weights.get(`${name}/kernel`);
        if (!kernel) throw new UpscalerJsError(`${name}: no weights named ${name}/kernel`);
        const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
        // Keras [kh, kw, in, out] → ONNX [out, in, kh, kw].
        const w = new Float32Array(kernel.data.length);
        for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) {
          w[((o * cin + i) * kh + y) * kw + x] = kernel.data[((y * kw + x) * cin + i) * cout + o]!;
        }
        const ins = [init(`${name}.weight`, [cout, cin, kh, kw], w)];
        parameters += w.length;
        const bias = cfg['use_bias'] === false ? undefined : weights.get(`${name}/bias`);
        if (bias) {
          ins.push(init(`${name}.bias`, [cout], bias.data));
          parameters += bias.data.length;
        }
        node('Conv', [inputs[0]!, ...ins], { kernel_shape: [kh, kw], pads: [kh >> 1, kw >> 1, kh >> 1, kw >> 1] });
        break;
      }
      case 'Activation':
        if (cfg['activation'] !== 'relu') throw new UpscalerJsError(`${name}: activation ${String(cfg['activation'])} is not supported`);
        node('Relu', inputs);
        break;
      case 'Concatenate':
        if (![undefined, -1, 3].includes(cfg['axis'] as number | undefined)) throw new UpscalerJsError(`${name}: Concatenate on axis ${String(cfg['axis'])} is not supported`);
        node('Concat', inputs, { axis: 1 });
        break;
      case 'Add':
        node('Sum', inputs);
        break;
      case 'MultiplyBeta':
        beta ??= init('beta', [], Float32Array.of(0.2));
        node('Mul', [inputs[0]!, beta]);
        break;
      case 'UpSampling2D': {
        if ((cfg['interpolation'] ?? 'nearest') !== 'nearest') throw new UpscalerJsError(`${name}: UpSampling2D ${String(cfg['interpolation'])} is not supported`);
        const [sh, sw] = cfg['size'] as [number, number];
        const scales = init(`${name}.scales`, [4], Float32Array.of(1, 1, sh, sw), 'float32');
        node('Resize', [inputs[0]!, '', scales], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
        break;
      }
      default: {
        const shuffle = /^PixelShuffle(\d+)x$/.exec(layer.class_name);
        if (!shuffle) throw new UpscalerJsError(`${name}: layer ${layer.class_name} is not supported`);
        node('DepthToSpace', inputs, { blocksize: Number(shuffle[1]), mode: 'DCR' });
      }
    }
    value.set(name, out);
  }
  const last = value.get(layers[layers.length - 1]!.config.name)!;
  nodes.push({ op: 'Identity', inputs: [last], outputs: ['output'], name: 'output' });

  mkdirSync(opts.outDir, { recursive: true });
  const bytes = encodeModel({
    graphName: `${pkg.name} x${opts.scale}`,
    nodes,
    inputs: [{ name: 'input', dtype, shape: [1, 3, 'height', 'width'] }],
    outputs: [{ name: 'output', dtype, shape: [1, 3, 'out_height', 'out_width'] }],
    initializers,
    opset: 17,
    metadata: { source: `${pkg.name}@${pkg.version}`, license: pkg.license ?? 'unknown' },
  });
  writeFileSync(join(opts.outDir, 'model.onnx'), bytes);
  const meta: UpscalerMeta = {
    type: 'atelier-upscaler', version: 1, scale: opts.scale, range,
    label: `${pkg.name.replace(/^@upscalerjs\//, 'UpscalerJS ')} ×${opts.scale} (${architecture.toUpperCase()}${opts.fp16 ? ', fp16' : ''})`,
    source: { npm: `${pkg.name}@${pkg.version}`, license: pkg.license ?? null, architecture, parameters },
  };
  writeFileSync(join(opts.outDir, UPSCALER_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  return { dir: opts.outDir, package: `${pkg.name}@${pkg.version}`, architecture, scale: opts.scale, range, parameters, dtype, bytes: bytes.length };
}
