import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../models/defaultModel.js';
import { modelFingerprint } from './modelFingerprint.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-fp-'));
  mkdirSync(join(dir, 'unet'));
  const weights = Buffer.alloc(3 << 20);
  for (let i = 0; i < weights.length; i++) weights[i] = (i * 7) & 0xff;
  writeFileSync(join(dir, 'unet', 'model.onnx'), weights);
  writeFileSync(join(dir, 'model_index.json'), '{"_class_name":"OnnxStableDiffusionPipeline"}');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('modelFingerprint', () => {
  it('is stable for the same files and ignores dot-files and touched times', async () => {
    const a = await modelFingerprint(dir);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    writeFileSync(join(dir, '.DS_Store'), 'x');
    utimesSync(join(dir, 'model_index.json'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(await modelFingerprint(dir)).toBe(a);
  });

  it('changes when weights, names or sizes change', async () => {
    const a = await modelFingerprint(dir);
    const weights = Buffer.alloc(3 << 20);
    weights[10] = 1; // inside the first MiB
    writeFileSync(join(dir, 'unet', 'model.onnx'), weights);
    const b = await modelFingerprint(dir);
    expect(b).not.toBe(a);
    renameSync(join(dir, 'model_index.json'), join(dir, 'model_index2.json'));
    expect(await modelFingerprint(dir)).not.toBe(b);
  });

  it('fingerprints a real model folder quickly', async () => {
    const t = performance.now();
    const fp = await modelFingerprint(join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny'));
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});
