import { join } from 'node:path';
import { GenerationSettingsSchema, type GenerationSettingsInput } from '../electron/contract/generation.js';
import { Engine } from '../electron/core/engine/engine.js';
import { seamScore } from '../electron/testing/inpaint/seamMetrics.js';
import { createGray, type GrayImage, type RgbaImage } from '../electron/core/image/types.js';
import { projectRoot } from '../electron/core/models/defaultModel.js';

/**
 * `npm run bench -- inpaint-colour [--seeds N]`: does inpainting keep the colour the prompt asked for,
 * and does it continue an object the mask cuts? Demo model, 128 px, a 48×48 mask over plain grass and
 * one across the edge of a red circle, "a small blue square", N seeds. Blue kept: at least 80 mask
 * pixels with a blue hue (190–255°) and saturation ≥ 0.35. Boundary step: seamScore's gradient ratio.
 */
export function bluePixels(img: RgbaImage, mask: GrayImage): number {
  let n = 0;
  for (let p = 0; p < mask.data.length; p++) {
    if (mask.data[p]! < 128) continue;
    const r = img.data[p * 4]! / 255;
    const g = img.data[p * 4 + 1]! / 255;
    const b = img.data[p * 4 + 2]! / 255;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    if (max === 0 || (max - min) / max < 0.35 || max !== b) continue;
    const hue = 60 * ((r - g) / (max - min)) + 240;
    if (hue >= 190 && hue <= 255) n++;
  }
  return n;
}

export function squareMask(size: number, x0: number, y0: number, side: number): GrayImage {
  const m = createGray(size, size);
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) m.data[y * size + x] = 255;
  return m;
}

const VARIANTS: Record<string, Partial<GenerationSettingsInput>> = {
  'colour match on (default)': { colorMatch: true },
  'colour match off': { colorMatch: false },
  'all seam handling off': { colorMatch: false, blend: 'linear', maskFeather: 0, maskMargin: 0 },
};

export async function benchInpaintColour(args: string[]): Promise<void> {
  const seeds = Number(args[args.indexOf('--seeds') + 1]) || 6;
  const dir = join(projectRoot(), 'native-models', 'demo', 'atelier-shapes-128');
  const engine = new Engine({ provider: 'cpu' });
  const base = { width: 128, height: 128, steps: 20, guidance: 5, scheduler: 'euler' as const };
  try {
    const grass = (await engine.generate(dir, { settings: GenerationSettingsSchema.parse({ ...base, mode: 'txt2img', prompt: 'green grass', seed: 3 }) })).images[0]!.image;
    const circle = (await engine.generate(dir, { settings: GenerationSettingsSchema.parse({ ...base, mode: 'txt2img', prompt: 'a red circle on green grass', seed: 21 }) })).images[0]!.image;
    const cases = [
      { name: 'plain grass', init: grass, mask: squareMask(128, 40, 40, 48) },
      // The circle of seed 21 sits around (48, 48) with radius ≈ 24: this mask cuts through its right half.
      { name: 'across a red circle', init: circle, mask: squareMask(128, 56, 32, 48) },
    ];
    const rows: Record<string, string>[] = [];
    for (const c of cases) {
      rows.push({ case: c.name, variant: 'untouched image', 'blue kept': '–', 'boundary step': seamScore(c.init, c.mask).gradientRatio.toFixed(2) });
      for (const [name, extra] of Object.entries(VARIANTS)) {
        let blue = 0;
        const steps: number[] = [];
        for (let k = 0; k < seeds; k++) {
          const settings = GenerationSettingsSchema.parse({ ...base, mode: 'inpaint', prompt: 'a small blue square', seed: 100 + k, strength: 1, ...extra });
          const out = (await engine.generate(dir, { settings, initImage: c.init, mask: c.mask })).images[0]!.image;
          if (bluePixels(out, c.mask) >= 80) blue++;
          steps.push(seamScore(out, c.mask).gradientRatio);
        }
        steps.sort((a, b) => a - b);
        rows.push({
          case: c.name, variant: name, 'blue kept': `${blue}/${seeds}`,
          'boundary step': `${(steps.reduce((a, b) => a + b, 0) / seeds).toFixed(2)} (${steps[0]!.toFixed(1)}–${steps[seeds - 1]!.toFixed(1)})`,
        });
      }
    }
    console.log(`\nInpaint colour and continuation — demo model, 128², 20 steps, ${seeds} seeds; boundary step = seam gradient ÷ neighbourhood (mean, range)`);
    console.table(rows);
  } finally {
    await engine.release();
  }
}
