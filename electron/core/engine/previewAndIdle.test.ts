import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema } from '../../contract/generation.js';
import type { RgbaImage } from '../image/types.js';
import { projectRoot } from '../models/defaultModel.js';
import { Engine } from './engine.js';

const SD15 = join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny');
const settings = GenerationSettingsSchema.parse({
  mode: 'txt2img', prompt: 'a red circle', width: 320, height: 320, steps: 3, guidance: 1, scheduler: 'euler', seed: 3,
});

describe('live previews', () => {
  const engines: Engine[] = [];
  afterAll(() => Promise.all(engines.map((e) => e.release())));

  async function previews(engine: Engine): Promise<RgbaImage[]> {
    engines.push(engine);
    const out: RgbaImage[] = [];
    await engine.generate(SD15, { settings, previewEvery: 1 }, { onProgress: (p) => p.preview && out.push(p.preview) });
    return out;
  }

  it('decode through a preview decoder (TAESD layout) when one is installed, else approximate', async () => {
    // The tiny model's own VAE stands in for TAESD: same input and output layout.
    const withDecoder = await previews(new Engine({ provider: 'cpu', previewDecoders: { sd: SD15 } }));
    const linear = await previews(new Engine({ provider: 'cpu' }));
    expect(withDecoder).toHaveLength(2);
    expect(linear).toHaveLength(2);
    // 320 px → 40×40 latents: the linear preview is latent-sized, the decoded one is downscaled to 128 px.
    expect([linear[0]!.width, linear[0]!.height]).toEqual([40, 40]);
    expect([withDecoder[0]!.width, withDecoder[0]!.height]).toEqual([128, 128]);
  });

  it('falls back with a notice when the preview decoder cannot load', async () => {
    const engine = new Engine({ provider: 'cpu', previewDecoders: { sd: '/nonexistent/taesd' } });
    engines.push(engine);
    const info = await engine.inspect(SD15);
    expect(info.notices.join('\n')).toMatch(/preview decoder not used: no preview decoder at \/nonexistent\/taesd/);
    expect(await previews(engine)).toHaveLength(2);
  });
});

describe('idle release', () => {
  it('releases the sessions after the idle time and reloads on the next job', async () => {
    const engine = new Engine({ provider: 'cpu', idleReleaseMs: 50 });
    const small = { ...settings, width: 64, height: 64 };
    const first = await engine.generate(SD15, { settings: small });
    expect(engine.loadedModelDir).toBe(SD15);
    await new Promise((r) => setTimeout(r, 200));
    expect(engine.loadedModelDir).toBeUndefined();
    const again = await engine.generate(SD15, { settings: small });
    expect(again.timings.loadMs).toBeGreaterThan(0);
    expect(Buffer.from(again.images[0]!.image.data).equals(Buffer.from(first.images[0]!.image.data))).toBe(true);
    await engine.release();
  });
});
