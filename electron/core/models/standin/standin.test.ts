import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema } from '../../../contract/generation.js';
import { Engine } from '../../engine/engine.js';
import { readModelFolder } from '../modelFolder.js';
import { modelParameterCounts } from '../parameterCount.js';
import { ARCHITECTURES, STANDIN_FAMILIES } from './families.js';
import { standinGraphs, writeStandin } from './writeStandin.js';

const root = mkdtempSync(join(tmpdir(), 'atelier-standin-'));
const engine = new Engine({ provider: 'cpu' });
afterAll(async () => {
  await engine.release();
  rmSync(root, { recursive: true, force: true });
});

describe('stand-in architectures at full size (graphs only, no weights written)', () => {
  it.each(STANDIN_FAMILIES)('%s has the published parameter count per part (within 1 %%)', (family) => {
    const arch = ARCHITECTURES[family];
    let vae = 0;
    for (const p of standinGraphs(arch, 'float32')) {
      const count = p.graph().parameterCount;
      if (p.part.startsWith('vae')) vae += count;
      else expect(Math.abs(count / p.published! - 1), p.part).toBeLessThan(0.01);
    }
    expect(Math.abs(vae / arch.published.vae - 1)).toBeLessThan(0.01);
  });

  it('names parameters as diffusers and transformers do (LoRA keys map onto them)', () => {
    const names = (part: string) => standinGraphs(ARCHITECTURES.sdxl, 'float16').find((p) => p.part === part)!.graph().weights.map((w) => w.name);
    const unet = names('unet');
    expect(unet).toContain('down_blocks.1.attentions.0.transformer_blocks.1.attn2.to_k.weight');
    expect(unet).toContain('mid_block.attentions.0.transformer_blocks.9.ff.net.0.proj.weight');
    expect(unet).toContain('add_embedding.linear_1.weight');
    expect(names('text_encoder_2')).toContain('text_model.encoder.layers.31.self_attn.q_proj.weight');
    expect(names('vae_decoder')).toContain('decoder.mid_block.attentions.0.to_q.weight');
  });
});

function settings(width: number, guidance: number) {
  return GenerationSettingsSchema.parse({
    mode: 'txt2img', prompt: 'a lighthouse at dusk', negativePrompt: '', width, height: width,
    steps: 2, guidance, scheduler: 'euler', seed: 3, batch: 1,
  });
}

describe('tiny stand-ins run through the engine', () => {
  it.each([
    ['sd15', false],
    ['sd-turbo', true],
    ['sdxl', true],
  ] as const)('%s (fp16: %s): written, counted from the file, and generates 2 steps', async (family, fp16) => {
    const dir = join(root, `${family}-${fp16 ? 'fp16' : 'fp32'}`);
    const summary = writeStandin({ family, fp16, tiny: true, outDir: dir });
    const layout = readModelFolder(dir);
    expect(layout.family).toBe(family === 'sdxl' ? 'sdxl' : 'sd1');
    // Counting from the file's initializer headers gives what the builder made (plus a float constant or two).
    const counted = modelParameterCounts(layout);
    for (const p of summary.parts) {
      const c = counted.find((x) => x.part === p.part)!;
      expect(c.parameters - p.parameters).toBeGreaterThanOrEqual(0);
      expect(c.parameters - p.parameters).toBeLessThan(77 * 77 + 64);
      expect(Object.keys(c.byType)).toContain(fp16 && !(family === 'sdxl' && p.part.startsWith('vae')) ? 'float16' : 'float32');
    }
    const info = await engine.inspect(dir);
    const unetIn = info.parts.find((p) => p.part === 'unet')!.inputs;
    expect(unetIn[0]).toBe(`sample: ${fp16 ? 'float16' : 'float32'}[batch_size, 4, height, width]`);
    const result = await engine.generate(dir, { settings: settings(64, family === 'sd-turbo' ? 0 : 5) });
    const px = result.images[0]!.image.data;
    let sum = 0;
    for (const v of px) sum += v;
    expect(sum / px.length).toBeGreaterThan(5); // finite latents decode to a real picture, not a NaN-black one
  }, 60_000);
});
