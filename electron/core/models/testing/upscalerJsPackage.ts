import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A small package in UpscalerJS's layout (model.json + one weight shard + the model definition naming
 * the architecture), ×2, using every layer kind the ESRGAN packages use (Conv2D 3×3 and 1×1 'valid',
 * relu, Concatenate, MultiplyBeta, Add, PixelShuffle2x, UpSampling2D), with seeded weights.
 */
export type Kernel = { name: string; kh: number; cin: number; cout: number };
export const KERNELS: Kernel[] = [
  { name: 'c1', kh: 3, cin: 3, cout: 8 },
  { name: 'c2', kh: 1, cin: 16, cout: 8 },
  { name: 'pre', kh: 3, cin: 8, cout: 12 },
  { name: 'cb', kh: 3, cin: 8, cout: 3 },
];

export function seeded(n: number, seed: number, scale: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * scale);
}

export function writeUpscalerJsPackage(dir: string, architecture: 'rrdn' | 'rdn'): Map<string, Float32Array> {
  const conv = (name: string, filters: number, k: number, input: string, padding = 'same') => ({
    class_name: 'Conv2D',
    config: { name, filters, kernel_size: [k, k], strides: [1, 1], padding, activation: 'linear', use_bias: true },
    inbound_nodes: [[[input, 0, 0, {}]]],
  });
  const layer = (class_name: string, name: string, inputs: string[], extra: Record<string, unknown> = {}) => ({
    class_name, config: { name, ...extra }, inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [],
  });
  const layers = [
    layer('InputLayer', 'LR_input', []),
    conv('c1', 8, 3, 'LR_input'),
    layer('Activation', 'r1', ['c1'], { activation: 'relu' }),
    layer('Concatenate', 'cat', ['c1', 'r1'], { axis: -1 }),
    conv('c2', 8, 1, 'cat', 'valid'),
    layer('MultiplyBeta', 'mb', ['c2']),
    layer('Add', 'add', ['c1', 'mb']),
    conv('pre', 12, 3, 'add'),
    layer('PixelShuffle2x', 'ps', ['pre']),
    layer('UpSampling2D', 'up', ['add'], { size: [2, 2], interpolation: 'nearest' }),
    conv('cb', 3, 3, 'up'),
    layer('Add', 'out', ['ps', 'cb']),
  ];
  const weights = new Map<string, Float32Array>();
  const manifest: Array<{ name: string; shape: number[]; dtype: string }> = [];
  KERNELS.forEach((k, i) => {
    weights.set(`${k.name}/kernel`, seeded(k.kh * k.kh * k.cin * k.cout, 11 + i, 1 / Math.sqrt(k.cin)));
    weights.set(`${k.name}/bias`, seeded(k.cout, 101 + i, 0.1));
    manifest.push({ name: `${k.name}/kernel`, shape: [k.kh, k.kh, k.cin, k.cout], dtype: 'float32' }, { name: `${k.name}/bias`, shape: [k.cout], dtype: 'float32' });
  });
  const models = join(dir, 'models', 'x2');
  mkdirSync(models, { recursive: true });
  const blob = Buffer.concat(manifest.map((m) => Buffer.from(weights.get(m.name)!.buffer)));
  writeFileSync(join(models, 'group1-shard1of1.bin'), blob);
  writeFileSync(join(models, 'model.json'), JSON.stringify({
    format: 'layers-model', generatedBy: 'keras v2.10.0',
    modelTopology: { model_config: { class_name: 'Functional', config: { layers } } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: manifest }],
  }));
  const def = join(dir, 'dist', 'esm', 'models', 'esrgan-test', 'src', 'x2');
  mkdirSync(def, { recursive: true });
  writeFileSync(join(def, 'index.js'), `export default getModelDefinition(2, '${architecture}-C1-D2-G4-G064-T10-x2-test');\n`);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@upscalerjs/esrgan-test', version: '1.0.0', license: 'MIT' }));
  return weights;
}

