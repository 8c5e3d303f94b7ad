/**
 * Issue 3's measure: does the shipped demo model follow prompts? 100 prompts drawn from the
 * world's grammar are generated through the real engine (same code path as any SD model) and
 * read back by the separately written analyser.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema, type GenerationSettingsInput, type SchedulerName } from '../../electron/contract/generation.js';
import { Engine } from '../../electron/core/engine/engine.js';
import type { GenerateRequest } from '../../electron/core/engine/types.js';
import { createGray, type GrayImage, type RgbaImage } from '../../electron/core/image/types.js';
import { analyseImage, findObjects, foregroundClasses } from './analyse.js';
import { drawPrompts } from './world.js';

const MODEL = fileURLToPath(new URL('./atelier-shapes-128', import.meta.url));
const index = JSON.parse(readFileSync(`${MODEL}/model_index.json`, 'utf8')) as {
  _atelier: { recommended: { steps: number; guidance: number; scheduler: SchedulerName } };
};
const rec = index._atelier.recommended;
const engine = new Engine({ provider: 'cpu' });
afterAll(() => engine.release());

function settings(prompt: string, seed: number, extra: Partial<GenerationSettingsInput> = {}) {
  return GenerationSettingsSchema.parse({
    mode: 'txt2img', prompt, width: 128, height: 128, steps: rec.steps, guidance: rec.guidance,
    scheduler: rec.scheduler, seed, ...extra,
  });
}

async function generate(req: GenerateRequest): Promise<{ image: RgbaImage; ms: number }> {
  const r = await engine.generate(MODEL, req);
  return { image: r.images[0].image, ms: r.timings.totalMs - r.timings.loadMs };
}

describe('demo model atelier-shapes-128', () => {
  it('follows colour and position in 100 prompts from the world grammar', async () => {
    const prompts = drawPrompts(100, 2026);
    let colour = 0;
    let place = 0;
    let size = 0;
    const ms: number[] = [];
    const misses: string[] = [];
    for (const [i, { scene, prompt }] of prompts.entries()) {
      const { image, ms: t } = await generate({ settings: settings(prompt, 1000 + i) });
      ms.push(t);
      const found = analyseImage(image);
      const o = scene.objects[0];
      colour += Number(found?.colour === o.colour);
      place += Number(found?.place === o.place);
      size += Number(found?.size === o.size);
      if (found?.colour !== o.colour || found?.place !== o.place) misses.push(`${prompt} -> ${found?.colour} ${found?.place}`);
    }
    ms.sort((a, b) => a - b);
    console.log(`adherence over 100 prompts: colour ${colour}%, position ${place}%, size ${size}%; ` +
      `median ${ms[50].toFixed(0)} ms/image (${rec.steps} steps, ${rec.scheduler}, guidance ${rec.guidance})\n  misses: ${misses.slice(0, 12).join('\n          ')}`);
    expect(colour).toBeGreaterThanOrEqual(90);
    expect(place).toBeGreaterThanOrEqual(85);
  });

  it('inpaints a circle into a masked square and leaves the rest untouched', async () => {
    const base = (await generate({ settings: settings('a large red star on the left, white background', 11) })).image;
    const mask: GrayImage = createGray(128, 128);
    const [x0, y0, side] = [64, 32, 56];
    for (let y = y0; y < y0 + side; y++) mask.data.fill(255, y * 128 + x0, y * 128 + x0 + side);
    const out = (await generate({
      // the model was always trained with a place in the prompt, so the request names the masked area's place
      settings: settings('a large blue circle on the right, white background', 12, { mode: 'inpaint', strength: 1, maskFeather: 4 }),
      initImage: base,
      mask,
    })).image;
    const classes = foregroundClasses(out);
    const counts = new Map<string, number>();
    let filled = 0;
    let changedOutside = 0;
    for (let y = 0; y < 128; y++) {
      for (let x = 0; x < 128; x++) {
        const inside = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
        const nearMask = x >= x0 - 5 && x < x0 + side + 5 && y >= y0 - 5 && y < y0 + side + 5;
        const i = (y * 128 + x) * 4;
        const c = classes[y * 128 + x];
        if (inside && c) {
          filled += 1;
          counts.set(c, (counts.get(c) ?? 0) + 1);
        }
        else if (!nearMask) changedOutside += Number([0, 1, 2].some((c) => out.data[i + c] !== base.data[i + c]));
      }
    }
    // Known miss (see native-models/README.md): the circle comes out purple, not blue, beside the red star.
    console.log(`inpaint: ${((100 * filled) / (side * side)).toFixed(0)}% of the masked square is a new object ${JSON.stringify([...counts])}; ${changedOutside} pixels changed away from it`);
    expect(filled / (side * side)).toBeGreaterThan(0.15);
    expect(changedOutside).toBe(0);
    // the red star on the left is still there
    expect(findObjects(out).find((o) => o.colour === 'red')?.place).toBe('left');
  });

  it('keeps the composition in img2img at strength 0.3', async () => {
    const prompt = 'a small purple square in the top right corner, sandy beach';
    const base = (await generate({ settings: settings(prompt, 21) })).image;
    const before = analyseImage(base);
    const after = analyseImage((await generate({
      settings: settings('a small purple square top right, sand', 22, { mode: 'img2img', strength: 0.3 }),
      initImage: base,
    })).image);
    expect(before).toBeDefined();
    expect(after?.colour).toBe(before?.colour);
    expect(after?.place).toBe(before?.place);
    expect(Math.abs((after?.cx ?? 0) - (before?.cx ?? 1))).toBeLessThan(0.05);
    expect(Math.abs((after?.cy ?? 0) - (before?.cy ?? 1))).toBeLessThan(0.05);
  });
});
