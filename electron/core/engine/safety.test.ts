import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema } from '../../contract/generation.js';
import { createRgba } from '../image/types.js';
import { projectRoot } from '../models/defaultModel.js';
import { Engine } from './engine.js';
import { blockedTerms, parsePromptFilter } from './promptFilter.js';
import { blurFlagged, SafetyChecker } from './safety.js';

const MODELS = join(projectRoot(), 'native-models', 'test-models');
let modelDir: string;

beforeAll(() => {
  // The tiny SD 1.5 model plus the stand-in checker (flags plain red pictures), in diffusers' layout.
  modelDir = mkdtempSync(join(tmpdir(), 'atelier-safety-'));
  cpSync(join(MODELS, 'sd15-tiny'), modelDir, { recursive: true });
  mkdirSync(join(modelDir, 'safety_checker'));
  cpSync(join(MODELS, 'safety-checker-tiny', 'model.onnx'), join(modelDir, 'safety_checker', 'model.onnx'));
});
afterAll(() => rmSync(modelDir, { recursive: true, force: true }));

describe('safety checker', () => {
  it('runs with CLIP preprocessing and gives a verdict per image', async () => {
    const checker = await SafetyChecker.load(modelDir, 'cpu');
    expect(await checker.check(createRgba(96, 64, [250, 10, 10, 255]))).toBe(true);
    expect(await checker.check(createRgba(96, 64, [40, 120, 200, 255]))).toBe(false);
    await checker.release();
  });

  it('the engine blurs flagged results and marks them; off, it does not run', async () => {
    const settings = GenerationSettingsSchema.parse({ mode: 'txt2img', prompt: 'x', width: 64, height: 64, steps: 2, guidance: 1, scheduler: 'euler', seed: 1 });
    const on = new Engine({ provider: 'cpu' });
    const off = new Engine({ provider: 'cpu', safetyChecker: false });
    const a = await on.generate(modelDir, { settings });
    const b = await off.generate(modelDir, { settings });
    expect(b.images[0]!.flagged).toBeUndefined();
    // Random tiny weights: whichever verdict comes out, a flagged image is the blurred unflagged one.
    if (a.images[0]!.flagged) expect(Buffer.from(a.images[0]!.image.data).equals(Buffer.from(blurFlagged(b.images[0]!.image).data))).toBe(true);
    else expect(Buffer.from(a.images[0]!.image.data).equals(Buffer.from(b.images[0]!.image.data))).toBe(true);
    await Promise.all([on.release(), off.release()]);
  });

  it('blurs away detail but keeps the average colour', () => {
    const img = createRgba(64, 64);
    for (let p = 0; p < 64 * 64; p++) img.data.set((p + Math.floor(p / 64)) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255], p * 4);
    const out = blurFlagged(img);
    // Away from the clamped borders the checkerboard melts into mid-grey.
    for (let y = 12; y < 52; y++) for (let x = 12; x < 52; x++) expect(Math.abs(out.data[(y * 64 + x) * 4]! - 128)).toBeLessThan(4);
  });
});

describe('prompt filter', () => {
  it('matches whole words and phrases, case-insensitively', () => {
    const list = parsePromptFilter('# my list\nGore\nblood  bath\n\n');
    expect(list).toEqual(['Gore', 'blood  bath']);
    expect(blockedTerms('A scene of GORE!', list)).toEqual(['Gore']);
    expect(blockedTerms('gorenstein and blood-bath', list)).toEqual(['blood  bath']);
    expect(blockedTerms('a gorgeous sunset', list)).toEqual([]);
  });

  it('stops a generation before any model loads, with a message naming the term', async () => {
    const engine = new Engine({ provider: 'cpu', promptFilter: ['dragon'] });
    const settings = GenerationSettingsSchema.parse({ mode: 'txt2img', prompt: 'a red Dragon', width: 64, height: 64, steps: 2, guidance: 1, scheduler: 'euler', seed: 1 });
    await expect(engine.generate(modelDir, { settings })).rejects.toThrow(/blocked term \(dragon\)/);
    expect(engine.loadedModelDir).toBeUndefined();
  });
});
