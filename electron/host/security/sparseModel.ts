import { closeSync, mkdirSync, openSync, readdirSync, symlinkSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '../../core/onnx/onnxProto.js';
import { TINY_MODEL } from './serveProbe.js';

/**
 * A model folder like the probe's: the tiny test model's parts, except a UNet whose one tensor
 * (1024³ float32, 4 GiB) lives in an external-data file that is all holes (a sparse file: 4 GiB long,
 * nothing on disk). Loading it would read 4 GiB of zeros into memory, per session.
 */
export function writeSparseModel(dir: string): string {
  mkdirSync(join(dir, 'unet'), { recursive: true });
  for (const part of readdirSync(TINY_MODEL)) if (part !== 'unet') symlinkSync(join(TINY_MODEL, part), join(dir, part));
  const length = 4 * 1024 ** 3;
  writeFileSync(join(dir, 'unet', 'model.onnx'), encodeModel({
    graphName: 'sparse',
    nodes: [{ op: 'Identity', inputs: ['w'], outputs: ['out_sample'], name: 'id' }],
    inputs: [],
    outputs: [{ name: 'out_sample', dtype: 'float32', shape: [1024, 1024, 1024] }],
    initializers: [{ name: 'w', dtype: 'float32', dims: [1024, 1024, 1024], external: { location: 'weights.pb', offset: 0, length } }],
    opset: 17,
  }));
  const fd = openSync(join(dir, 'unet', 'weights.pb'), 'w');
  ftruncateSync(fd, length);
  closeSync(fd);
  return dir;
}
