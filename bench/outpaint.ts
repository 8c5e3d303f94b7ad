import { join } from 'node:path';
import { GenerationSettingsSchema, type GenerationSettingsInput } from '../electron/contract/generation.js';
import { Engine } from '../electron/core/engine/engine.js';
import { growCanvas, outpaintInputs, type Extend } from '../electron/core/engine/inpaint/outpaint.js';
import { pasteBack, type PasteBackOptions } from '../electron/core/engine/inpaint/seamless.js';
import { seamScore } from '../electron/testing/inpaint/seamMetrics.js';
import { makeScene, SCENE_KINDS, simulateGenerated } from '../electron/testing/inpaint/simulate.js';
import type { RgbaImage } from '../electron/core/image/types.js';
import { projectRoot } from '../electron/core/models/defaultModel.js';

/**
 * `npm run bench -- outpaint`: the outpaint seam before and after empty pixels were pre-filled
 * (outpaint.ts). "Before" is the old path exactly: the empty area flattened on mid-grey, so the
 * paste-back's feather faded the new pixels to grey at the old picture's edge. Metrics (seamMetrics.ts):
 * gradient ratio across the line ÷ its neighbourhood (1 = no line of its own), ΔE2000 of the 2-px
 * line against the pixels 3–6 px beside it, ΔE2000 of the rings either side.
 */

/** The old path's input: empty pixels mid-grey and opaque (the renderer's flattenOnGray). */
export function flattenedOnGrey(image: RgbaImage): RgbaImage {
  const data = new Uint8Array(image.data);
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3]! / 255;
    for (let c = 0; c < 3; c++) data[i + c] = Math.round(data[i + c]! * a + 128 * (1 - a));
    data[i + 3] = 255;
  }
  return { width: image.width, height: image.height, data };
}

const EXTENDS: Record<string, Extend> = {
  'right 48': { left: 0, right: 48, top: 0, bottom: 0 },
  'left 32 + bottom 40': { left: 32, right: 0, top: 0, bottom: 40 },
};

const VARIANTS: Record<string, PasteBackOptions> = {
  default: { feather: 4, colorMatch: true, blend: 'multiband' },
  'linear, no colour match': { feather: 4, colorMatch: false, blend: 'linear' },
};

type Row = Record<string, string>;

function fmt(s: { gradientRatio: number; lineDeltaE: number; ringDeltaE: number }): string {
  return `${s.gradientRatio.toFixed(2)} / ${s.lineDeltaE.toFixed(2)} / ${s.ringDeltaE.toFixed(2)}`;
}

function procedural(): Row[] {
  const rows: Row[] = [];
  for (const kind of SCENE_KINDS) {
    for (const [ext, extend] of Object.entries(EXTENDS)) {
      const w = 160;
      const h = 128;
      // The whole scene is the ideal; the old picture is it without the margins.
      const scene = makeScene(kind, w, h, 3);
      const crop = cropOf(scene, extend);
      const grown = growCanvas(crop, extend);
      const gen = simulateGenerated(scene, kind, grown.mask, 16, 11);
      const row: Row = { case: `${kind}, ${ext}`, 'untouched scene': fmt(seamScore(scene, grown.mask)) };
      for (const [name, opts] of Object.entries(VARIANTS)) {
        const before = pasteBack(flattenedOnGrey(grown.image), gen, grown.mask, opts);
        const after = outpaintInputs(grown.image, grown.mask);
        row[`${name}: before`] = fmt(seamScore(before, grown.mask));
        row[`${name}: after`] = fmt(seamScore(pasteBack(after.image, gen, after.mask, opts), grown.mask));
      }
      rows.push(row);
    }
  }
  return rows;
}

function cropOf(scene: RgbaImage, e: Extend): RgbaImage {
  const w = scene.width - e.left - e.right;
  const h = scene.height - e.top - e.bottom;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) data.set(scene.data.subarray(((y + e.top) * scene.width + e.left) * 4, ((y + e.top) * scene.width + e.left + w) * 4), y * w * 4);
  return { width: w, height: h, data };
}

async function demoModel(seeds: number): Promise<Row[]> {
  const dir = join(projectRoot(), 'native-models', 'demo', 'atelier-shapes-128');
  const engine = new Engine({ provider: 'cpu' });
  const rows: Row[] = [];
  try {
    for (const prompt of ['a red circle on green grass', 'a blue square on a yellow background']) {
      const base = GenerationSettingsSchema.parse({ mode: 'txt2img', prompt, width: 128, height: 128, steps: 12, guidance: 5, scheduler: 'euler', seed: 21 });
      const picture = (await engine.generate(dir, { settings: base })).images[0]!.image;
      for (const [ext, extend] of Object.entries(EXTENDS)) {
        const grown = growCanvas(picture, extend);
        const sums: Record<string, { g: number; l: number; r: number }> = {};
        for (const [name, opts] of Object.entries(VARIANTS)) {
          for (const when of ['before', 'after'] as const) {
            for (let k = 0; k < seeds; k++) {
              const settings: GenerationSettingsInput = {
                ...base, mode: 'inpaint', width: grown.image.width, height: grown.image.height, strength: 1, seed: 40 + k,
                colorMatch: opts.colorMatch, blend: opts.blend,
              };
              const init = when === 'before' ? flattenedOnGrey(grown.image) : grown.image;
              const out = (await engine.generate(dir, { settings: GenerationSettingsSchema.parse(settings), initImage: init, mask: grown.mask })).images[0]!.image;
              const s = seamScore(out, grown.mask);
              const key = `${name}: ${when}`;
              const t = (sums[key] ??= { g: 0, l: 0, r: 0 });
              t.g += s.gradientRatio / seeds;
              t.l += s.lineDeltaE / seeds;
              t.r += s.ringDeltaE / seeds;
            }
          }
        }
        rows.push({
          case: `"${prompt}", ${ext}`,
          ...Object.fromEntries(Object.entries(sums).map(([k, t]) => [k, fmt({ gradientRatio: t.g, lineDeltaE: t.l, ringDeltaE: t.r })])),
        });
      }
    }
  } finally {
    await engine.release();
  }
  return rows;
}

export async function benchOutpaint(args: string[]): Promise<void> {
  const seeds = Number(args[args.indexOf('--seeds') + 1]) || 4;
  console.log('\nOutpaint seam — cells: gradient ratio / line ΔE2000 / ring ΔE2000 (lower is better; the untouched scene is the floor)');
  console.log('Procedural scenes, 160×128, simulated VAE round trip (simulate.ts), the same generated pixels before and after:');
  console.table(procedural());
  console.log(`Demo model (atelier-shapes-128, 12 steps, euler, CPU), mean of ${seeds} seeds per cell:`);
  console.table(await demoModel(seeds));
}


