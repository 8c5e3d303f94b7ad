import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GenerationSettingsSchema, type GenerationSettingsInput } from '../electron/contract/generation.js';
import { Engine } from '../electron/core/engine/engine.js';
import type { RgbaImage } from '../electron/core/image/types.js';
import { projectRoot } from '../electron/core/models/defaultModel.js';
import { findObjects } from '../native-models/demo/analyse.js';

const MODEL = join(projectRoot(), 'native-models', 'demo', 'atelier-shapes-128');
const HALVES = [
  { x: 0, y: 0, width: 64, height: 128, prompt: 'a large red circle' },
  { x: 64, y: 0, width: 64, height: 128, prompt: 'a large blue square' },
];

/** Red object's centroid in the left half and blue object's in the right half, as the demo analyser reads them. */
export function redLeftBlueRight(image: RgbaImage): boolean {
  const objects = findObjects(image);
  const red = objects.find((o) => o.colour === 'red');
  const blue = objects.find((o) => o.colour === 'blue');
  return !!red && red.cx < 0.5 && !!blue && blue.cx > 0.5;
}

/**
 * Regional prompts on the demo model: a left-half "a large red circle" and a right-half "a large blue square"
 * over the base "blue sky", 40 seeds, against the same request as one prompt; and the cost per step
 * (the region job batches 4 branches per UNet call where a single prompt batches 2).
 * `npm run bench -- regions [--seeds N] [--sheet FILE.png]`
 */
export async function benchRegions(args: string[]): Promise<void> {
  const seedsArg = args.indexOf('--seeds');
  const seeds = seedsArg >= 0 ? Number(args[seedsArg + 1]) : 40;
  const sheetArg = args.indexOf('--sheet');
  const rec = JSON.parse(readFileSync(join(MODEL, 'model_index.json'), 'utf8'))._atelier.recommended;
  const engine = new Engine({ provider: 'cpu' });
  const common = { mode: 'txt2img', width: 128, height: 128, steps: rec.steps, guidance: rec.guidance, scheduler: rec.scheduler } as const;
  const runs: Record<string, { settings: Partial<GenerationSettingsInput> }> = {
    regions: { settings: { prompt: 'blue sky', regions: HALVES } },
    'one prompt': { settings: { prompt: 'a large red circle on the left and a large blue square on the right, blue sky' } },
  };
  await engine.generate(MODEL, { settings: GenerationSettingsSchema.parse({ ...common, prompt: 'warm-up', seed: 0 }) });
  const sheet: RgbaImage[] = [];
  for (const [name, run] of Object.entries(runs)) {
    let hits = 0;
    const perStep: number[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const settings = GenerationSettingsSchema.parse({ ...common, ...run.settings, seed });
      const r = await engine.generate(MODEL, { settings });
      const image = r.images[0]!.image;
      hits += Number(redLeftBlueRight(image));
      perStep.push(r.timings.denoiseMs / settings.steps);
      if (name === 'regions' && sheet.length < 16) sheet.push(image);
    }
    perStep.sort((a, b) => a - b);
    console.log(`${name.padEnd(11)} red left & blue right: ${hits}/${seeds} (${((100 * hits) / seeds).toFixed(0)} %), median ${perStep[perStep.length >> 1]!.toFixed(1)} ms/step`);
  }
  await engine.release();
  if (sheetArg >= 0) {
    const cols = 8;
    const rows = Math.ceil(sheet.length / cols);
    await sharp({ create: { width: cols * 128, height: rows * 128, channels: 4, background: '#000' } })
      .composite(sheet.map((img, i) => ({ input: Buffer.from(img.data), raw: { width: 128, height: 128, channels: 4 as const }, left: (i % cols) * 128, top: Math.floor(i / cols) * 128 })))
      .png()
      .toFile(args[sheetArg + 1]!);
  }
}
