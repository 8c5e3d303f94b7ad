import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema, type GenerationSettingsInput } from '../../../contract/generation.js';
import { projectRoot } from '../../models/defaultModel.js';
import { Engine } from '../engine.js';
import type { GenerateRequest } from '../types.js';
import { LoraMerger, loraParts, type LoraRequest } from './loraMerger.js';
import { readModelFolder } from '../../models/modelFolder.js';

/**
 * The engine's in-memory LoRA merge against model folders merged on disk by an independent
 * Python script (native-models/reference/merge_lora.py: numpy + onnx): same image within one level.
 */
const ROOT = projectRoot();
const MODELS = join(ROOT, 'native-models', 'test-models');
const LORAS = join(ROOT, 'native-models', 'test-loras');
const SD15 = join(MODELS, 'sd15-tiny');
const SDXL = join(MODELS, 'sdxl-tiny');
const PYTHON = '/usr/bin/python3';
const hasPython = spawnSync(PYTHON, ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status === 0;

const lora = (file: string, strength: number): LoraRequest => ({ name: file.replace('.safetensors', ''), file: join(LORAS, file), strength });

const CASES: Array<{ name: string; model: string; loras: LoraRequest[] }> = [
  // linear (MatMul), 1x1 conv proj_in, 3x3 LoCon, Gemm time_emb_proj, text encoder; alpha != rank
  { name: 'kohya', model: SD15, loras: [lora('sd15-kohya.safetensors', 0.8)] },
  // PEFT lora_A/lora_B in float16, no alpha
  { name: 'peft', model: SD15, loras: [lora('sd15-peft.safetensors', 1.3)] },
  // two LoRAs at different strengths, on one shared weight too
  { name: 'two', model: SD15, loras: [lora('sd15-kohya.safetensors', 0.6), lora('sd15-peft.safetensors', -0.7)] },
  // SDXL: kohya's original-UNet names, lora_te1_/lora_te2_, weights in model.onnx_data
  { name: 'sdxl', model: SDXL, loras: [lora('sdxl-kohya.safetensors', 1.0)] },
];

/** Per part of a model folder: bytes of the initializers whose values differ in the second folder (numpy + onnx). */
const CHANGED_BYTES = `
import os, sys, numpy as np, onnx
from onnx import numpy_helper as nh
for part in ('text_encoder', 'text_encoder_2', 'unet'):
    f = os.path.join(sys.argv[1], part, 'model.onnx')
    if not os.path.exists(f): continue
    a = {t.name: nh.to_array(t) for t in onnx.load(f).graph.initializer}
    b = {t.name: nh.to_array(t) for t in onnx.load(os.path.join(sys.argv[2], part, 'model.onnx')).graph.initializer}
    print(sum(v.nbytes for k, v in a.items() if not np.array_equal(v, b[k])))
`;

const engine = new Engine({ provider: 'cpu' });
let scratch = '';
const plainImages = new Map<string, Uint8Array>();

function request(model: string, loras: LoraRequest[], overrides: Partial<GenerationSettingsInput> = {}): GenerateRequest {
  const settings = GenerationSettingsSchema.parse({
    mode: 'txt2img', prompt: 'a red circle <lora:ignored:0.5> on the left', negativePrompt: 'blurry', width: 64, height: 64,
    steps: 4, guidance: 5, scheduler: 'euler', seed: 11, batch: 1, ...overrides,
  });
  void model;
  return { settings, loras };
}

async function image(model: string, loras: LoraRequest[]): Promise<Uint8Array> {
  const r = await engine.generate(model, request(model, loras));
  return r.images[0]!.image.data;
}

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function meanDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

function folderHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, entry);
    if (statSync(p).isFile()) out[entry] = createHash('sha256').update(readFileSync(p)).digest('hex');
  }
  return out;
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'atelier-lora-'));
});
afterAll(async () => {
  await engine.release();
  rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(!hasPython)('LoRA merged in memory equals the offline merge (numpy + onnx)', () => {
  for (const c of CASES) {
    it(`${c.name}: same image within one level, and the LoRA changes the image`, async () => {
      const merged = join(scratch, c.name);
      const log = execFileSync(PYTHON, [join(ROOT, 'native-models', 'reference', 'merge_lora.py'), c.model, merged,
        ...c.loras.map((l) => `${l.file}:${l.strength}`)], { encoding: 'utf8' });
      expect(log).toMatch(/layers at strength/);
      // What the memory estimate counts for the merge: the bytes of the weights the offline merge changed, in the part that changes most.
      const changed = execFileSync(PYTHON, ['-c', CHANGED_BYTES, c.model, merged], { encoding: 'utf8' }).trim().split('\n').map(Number);
      expect(engine.loraMerger.mergeBytes(loraParts(readModelFolder(c.model)), c.loras)).toBe(Math.max(...changed));
      const before = folderHashes(c.model);
      const withLora = await image(c.model, c.loras);
      const offline = await image(merged, []);
      expect(maxDiff(withLora, offline)).toBeLessThanOrEqual(1);
      // the LoRA must matter, or the comparison above proves nothing; and without it, the weights on disk again
      const plain = await image(c.model, []);
      expect(meanDiff(withLora, plain)).toBeGreaterThan(1);
      plainImages.set(c.model, plain);
      expect(folderHashes(c.model)).toEqual(before);
    }, 180_000);
  }
});

describe('LoRA merged weights handed to onnxruntime', () => {
  it('a model too big to carry its merged weights inline gets them as in-memory files: the same image', async () => {
    const loras = [lora('sdxl-kohya.safetensors', 1.0)];
    // inline limit 0: every part takes the in-memory-files path, the UNet's model.onnx_data read into memory too
    const tableEngine = new Engine({ provider: 'cpu', loraMerger: new LoraMerger(0, 0) });
    try {
      const r = await tableEngine.generate(SDXL, request(SDXL, loras));
      expect(maxDiff(r.images[0]!.image.data, await image(SDXL, loras))).toBe(0);
    } finally {
      await tableEngine.release();
    }
  }, 120_000);
});

describe('LoRA fit and bad files', () => {
  it('refuses a LoRA made for another model in one sentence with how many layers matched and an example', async () => {
    await expect(engine.generate(SD15, request(SD15, [lora('sd15-fullsize.safetensors', 1)])))
      .rejects.toThrow(/^LoRA "sd15-fullsize" does not fit this model: 0 of its 4 layers match a weight of the model \(e\.g\. lora_(unet|te)_[a-z0-9_]+\.lora_down\.weight\); it was probably made for another model family$/);
  });

  it('runs a LoRA that fits only partly, with a warning naming what was ignored', async () => {
    // the tiny SDXL LoRA on the tiny SD 1.5: a few of its original-UNet names land on weights of the same size
    const r = await engine.generate(SD15, request(SD15, [lora('sdxl-kohya.safetensors', 1)]));
    const loraWarnings = (r.warnings ?? []).filter((w) => w.startsWith('LoRA'));
    expect(loraWarnings).toHaveLength(1);
    expect(loraWarnings[0]).toMatch(/^LoRA "sdxl-kohya": only [1-8] of its 9 layers match this model; the other [1-8] are ignored \(e\.g\. lora_[a-z0-9_]+\.lora_down\.weight\)$/);
  });

  it('names LoHa and refuses it', async () => {
    await expect(engine.generate(SD15, request(SD15, [lora('sd15-loha.safetensors', 1)])))
      .rejects.toThrow('LoRA "sd15-loha" is a LoHa file, which Atelier cannot merge yet (only LoRA and LoCon layers)');
  });

  it('switching back to a LoRA set reuses its merged weights (one session reload, no merge)', async () => {
    const a = [lora('sd15-kohya.safetensors', 0.5)];
    const b = [lora('sd15-peft.safetensors', 0.5)];
    const first = await image(SD15, a);
    await image(SD15, b);
    const variants = engine.loraMerger.cachedVariants;
    expect(variants).toBeGreaterThanOrEqual(3); // unet + text encoder for a, unet + text encoder for b
    expect(maxDiff(await image(SD15, a), first)).toBe(0);
    expect(engine.loraMerger.cachedVariants).toBe(variants);
  });
});
