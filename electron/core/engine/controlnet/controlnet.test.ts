import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema, type GenerationSettingsInput } from '../../../contract/generation.js';
import type { RgbaImage } from '../../image/types.js';
import { listControlNetFolders, readControlNetFolder } from '../../models/controlNetFolder.js';
import { projectRoot } from '../../models/defaultModel.js';
import { Engine } from '../engine.js';
import { estimateJobMemory } from '../memoryEstimate.js';
import { modelMemoryFacts } from '../../models/memoryFacts.js';
import { readModelFolder } from '../../models/modelFolder.js';
import type { ControlRequest, GenerateRequest } from '../types.js';
import { controlActive, residualLevels } from './residuals.js';

/** The tiny ControlNets of native-models/recipes/build_test_controlnets.py on the tiny test models. */
const MODELS = join(projectRoot(), 'native-models', 'test-models');
const SD15 = join(MODELS, 'sd15-tiny'); // plain UNet + controlnet/model.onnx (the residual UNet) beside it
const SD15_CN = join(MODELS, 'sd15-cn-tiny'); // unet/model.onnx itself takes the residuals
const SDXL = join(MODELS, 'sdxl-tiny');
const CN = join(MODELS, 'controlnet-sd15-tiny'); // controlnet/model.onnx, float32 scalar scale
const CN_B = join(MODELS, 'controlnet-sd15-tiny-b'); // model.onnx at the root, float64 [1] scale
const CN_XL = join(MODELS, 'controlnet-sdxl-tiny');

const engine = new Engine({ provider: 'cpu' });
afterAll(() => engine.release());

function request(overrides: Partial<GenerationSettingsInput> = {}, controls: ControlRequest[] = []): GenerateRequest {
  const settings = GenerationSettingsSchema.parse({
    mode: 'txt2img', prompt: 'a red circle', negativePrompt: '', width: 64, height: 64,
    steps: 3, guidance: 7, scheduler: 'euler', seed: 11, ...overrides,
  });
  return { settings, controls };
}

/** A white outline square on black, the kind of map a scribble makes. */
function outline(w = 64, h = 64): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const edge = (x === 16 || x === 47 || y === 16 || y === 47) && x >= 16 && x <= 47 && y >= 16 && y <= 47;
      data.set(edge ? [255, 255, 255, 255] : [0, 0, 0, 255], (y * w + x) * 4);
    }
  }
  return { width: w, height: h, data };
}

const control = (dir: string, more: Partial<ControlRequest> = {}): ControlRequest => ({ dir, image: outline(), scale: 1, start: 0, end: 1, ...more });

async function pixels(dir: string, req: GenerateRequest): Promise<Uint8Array> {
  return Uint8Array.from((await engine.generate(dir, req)).images[0]!.image.data);
}

function meanDifference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe('ControlNet in the engine (issue 20)', () => {
  it('a ControlNet changes the picture; scale 0 or a window missing every step gives the plain picture', async () => {
    const plain = await pixels(SD15, request());
    const guided = await pixels(SD15, request({}, [control(CN)]));
    expect(meanDifference(plain, guided)).toBeGreaterThan(0.5);
    // Scale 0: zero residuals through the residual UNet, the same network as the plain one.
    expect(meanDifference(plain, await pixels(SD15, request({}, [control(CN, { scale: 0 })])))).toBeLessThan(0.01);
    // 3 steps, start 0.9: step k applies only when k/3 >= 0.9, never.
    expect(meanDifference(plain, await pixels(SD15, request({}, [control(CN, { start: 0.9, end: 1 })])))).toBeLessThan(0.01);
    // And the plain UNet comes back for a job without control.
    expect(await pixels(SD15, request())).toEqual(plain);
  });

  it('a UNet declaring the residuals and a controlnet/model.onnx beside the plain UNet give the same picture', async () => {
    const req = request({ guidance: 1 }, [control(CN), control(CN_B, { scale: 0.5 })]);
    expect(meanDifference(await pixels(SD15, req), await pixels(SD15_CN, req))).toBe(0);
  });

  it('runs an SDXL ControlNet (text_embeds, time_ids, float64 [1] scale) on img2img', async () => {
    const init = outline(64, 96);
    const req = request({ mode: 'img2img', width: 64, height: 96, strength: 0.8 }, [control(CN_XL, { image: outline(64, 96) })]);
    const guided = await pixels(SDXL, { ...req, initImage: init });
    const plain = await pixels(SDXL, { ...req, initImage: init, controls: [] });
    expect(meanDifference(plain, guided)).toBeGreaterThan(0.5);
  });

  it('refuses, in one sentence, a ControlNet of another family, a model without ControlNet inputs and a wrong-size map', async () => {
    const fail = (dir: string, req: GenerateRequest) => engine.generate(dir, req).then(() => '', (e: Error) => e.message);
    const xlOnSd = await fail(SD15, request({}, [control(CN_XL)]));
    expect(xlOnSd).toMatch(/controlnet-sdxl-tiny is made for SDXL models, but sd15-tiny is SD 1\.x/);
    expect(await fail(SDXL, request({}, [control(CN)]))).toMatch(/made for SD 1\.x\/2\.x models, but sdxl-tiny is SDXL/);
    expect(await fail(join(MODELS, 'sd15-inpaint-tiny'), request({}, [control(CN)]))).toMatch(/cannot take a ControlNet/);
    expect(await fail(SD15, request({}, [control(CN, { image: outline(32, 32) })]))).toMatch(/the control image is 32×32, but the generation is 64×64/);
    expect(await fail(SD15, request({}, [control(join(MODELS, 'upscale-linear-x4'))]))).toMatch(/not a ControlNet folder/);
    for (const m of [xlOnSd]) expect(m.split('\n')).toHaveLength(1);
  });
});

describe('ControlNet pieces', () => {
  it('applies a control where diffusers keeps it (control_guidance_start/end)', () => {
    // 10 steps, 0.2..0.8: steps 2..7 (diffusers: keep = not (i/n < s or (i+1)/n > e)).
    const on = Array.from({ length: 10 }, (_, k) => controlActive(k, 10, 0.2, 0.8));
    expect(on.map((v, k) => (v ? k : -1)).filter((k) => k >= 0)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('sizes the residuals from a UNet config as its skip connections', () => {
    const cfg = { block_out_channels: [320, 640, 1280, 1280], layers_per_block: 2 };
    const levels = residualLevels(cfg, 12)!;
    expect(levels.map((l) => l.channels)).toEqual([320, 320, 320, 320, 640, 640, 640, 1280, 1280, 1280, 1280, 1280, 1280]);
    expect(levels.map((l) => l.level)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3]);
    expect(residualLevels(cfg, 9)).toBeUndefined();
  });

  it('lists ControlNet folders (not base models, not upscalers) and reads their family', () => {
    const ids = listControlNetFolders([MODELS]).map((f) => f.id);
    expect(ids).toEqual(['controlnet-sd15-tiny', 'controlnet-sd15-tiny-b', 'controlnet-sdxl-tiny']);
    expect(readControlNetFolder(CN_XL).family).toBe('sdxl');
    expect(readControlNetFolder(CN_B).file).toBe(join(CN_B, 'model.onnx'));
  });

  it('counts a ControlNet in the memory estimate', () => {
    const facts = modelMemoryFacts(readModelFolder(SD15));
    const job = { width: 512, height: 512, batch: 1, guidance: 7, mode: 'txt2img' as const };
    const bytes = readControlNetFolder(CN).weightBytes;
    const without = estimateJobMemory(facts, job);
    const withOne = estimateJobMemory(facts, { ...job, controlNetBytes: [bytes] });
    expect(withOne.weightBytes - without.weightBytes).toBe(bytes);
    expect(withOne.unetActivationBytes).toBeGreaterThan(without.unetActivationBytes);
  });
});
