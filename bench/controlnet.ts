import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GenerationSettingsSchema } from '../electron/contract/generation.js';
import { Engine } from '../electron/core/engine/engine.js';
import type { RgbaImage } from '../electron/core/image/types.js';
import { projectRoot } from '../electron/core/models/defaultModel.js';
import { controlMap } from '../electron/shared/image/control/controlMap.js';
import { objectMask } from '../native-models/demo/analyse.js';
import { filledMask, maskIoU, outlineSketch, shapePolygon } from '../native-models/demo/outline.js';
import type { ColourName, ShapeName } from '../native-models/demo/world.js';

const DEMO = join(projectRoot(), 'native-models', 'demo');
const MODEL = join(DEMO, 'atelier-shapes-128');

/**
 * Outlines off the centre, where the model would not put the shape by itself: the prompt names colour, shape
 * and background, never the place, so only the outline says where.
 */
export const CONTROL_CASES: Array<{ shape: ShapeName; colour: ColourName; cx: number; cy: number; r: number; prompt: string }> = [
  { shape: 'square', colour: 'red', cx: 36, cy: 36, r: 21, prompt: 'a large red square, white background' },
  { shape: 'circle', colour: 'blue', cx: 92, cy: 90, r: 25, prompt: 'a large blue circle, white background' },
  { shape: 'triangle', colour: 'yellow', cx: 90, cy: 58, r: 31, prompt: 'a large yellow triangle, grey background' },
  { shape: 'star', colour: 'green', cx: 40, cy: 86, r: 31, prompt: 'a large green star, white background' },
];

export interface ControlScore {
  iou: number;
}

/** One outline: the sketch as the user draws it (4 px pen), the map the app makes of it, and the shape it stands for. */
export function controlCase(c: (typeof CONTROL_CASES)[number]): { map: RgbaImage; shape: Uint8Array } {
  const polygon = shapePolygon(c.shape, c.cx, c.cy, c.r);
  return { map: controlMap(outlineSketch(polygon, 128, 4), 'scribble'), shape: filledMask(polygon, 128) };
}

/**
 * The demo ControlNet (issue 20): does the generated shape follow a drawn outline? For each of `--seeds` seeds
 * (one outline of CONTROL_CASES per seed in turn), the IoU of the object's mask (the demo analyser: pixels of
 * the prompt's colour) with the drawn shape, with the control and without it (same prompt and seed).
 * `npm run bench -- controlnet [--seeds 40] [--controlnet DIR] [--scale 1] [--sheet FILE.png]`
 */
export async function benchControlNet(args: string[]): Promise<void> {
  const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
  const seeds = Number(arg('--seeds', '40'));
  const controlnet = arg('--controlnet', join(DEMO, 'atelier-shapes-128-scribble'));
  const scale = Number(arg('--scale', '1'));
  const rec = JSON.parse(readFileSync(join(MODEL, 'model_index.json'), 'utf8'))._atelier.recommended;
  const engine = new Engine({ provider: 'cpu' });
  const common = { mode: 'txt2img', width: 128, height: 128, steps: rec.steps, guidance: rec.guidance, scheduler: rec.scheduler } as const;
  const cases = CONTROL_CASES.map(controlCase);
  const rows: Array<{ case: number; on: number; off: number }> = [];
  const sheet: RgbaImage[] = [];
  const ms = { on: 0, off: 0 };
  for (let seed = 0; seed < seeds; seed++) {
    const i = seed % CONTROL_CASES.length;
    const c = CONTROL_CASES[i]!;
    const settings = GenerationSettingsSchema.parse({ ...common, prompt: c.prompt, seed });
    const off = await engine.generate(MODEL, { settings });
    const on = await engine.generate(MODEL, { settings, controls: [{ dir: controlnet, image: cases[i]!.map, scale, start: 0, end: 1 }] });
    ms.on += on.timings.denoiseMs / settings.steps;
    ms.off += off.timings.denoiseMs / settings.steps;
    const score = (img: RgbaImage) => maskIoU(objectMask(img, c.colour), cases[i]!.shape);
    rows.push({ case: i, on: score(on.images[0]!.image), off: score(off.images[0]!.image) });
    if (seed < 8) sheet.push(cases[i]!.map, on.images[0]!.image, off.images[0]!.image);
  }
  await engine.release();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const over = (xs: number[], t: number) => xs.filter((x) => x >= t).length;
  const line = (label: string, rs: typeof rows) =>
    `| ${label.padEnd(34)} | ${String(rs.length).padStart(5)} | ${mean(rs.map((r) => r.on)).toFixed(2)} | ${mean(rs.map((r) => r.off)).toFixed(2)} | ${over(rs.map((r) => r.on), 0.5)}/${rs.length} | ${over(rs.map((r) => r.off), 0.5)}/${rs.length} |`;
  console.log(`ControlNet ${controlnet}, scale ${scale}, ${rec.steps} steps ${rec.scheduler}, guidance ${rec.guidance}`);
  console.log('| outline (prompt without a place)   | seeds | IoU with | IoU without | ≥ 0.5 with | ≥ 0.5 without |');
  console.log('|---|---|---|---|---|---|');
  CONTROL_CASES.forEach((c, i) => console.log(line(`${c.shape} at (${c.cx}, ${c.cy}) r ${c.r}, ${c.colour}`, rows.filter((r) => r.case === i))));
  console.log(line('all', rows));
  console.log(`mean ${(ms.on / seeds).toFixed(1)} ms/step with the control, ${(ms.off / seeds).toFixed(1)} without`);
  const sheetFile = arg('--sheet', '');
  if (sheetFile) {
    // Per seed: the map, the picture with the control, the picture without.
    await sharp({ create: { width: 3 * 128, height: (sheet.length / 3) * 128, channels: 4, background: '#000' } })
      .composite(sheet.map((img, k) => ({ input: Buffer.from(img.data), raw: { width: 128, height: 128, channels: 4 as const }, left: (k % 3) * 128, top: Math.floor(k / 3) * 128 })))
      .png()
      .toFile(sheetFile);
  }
}
