import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { GenerationSettingsSchema } from '../electron/contract/generation.js';
import { Engine } from '../electron/core/engine/engine.js';
import { OnnxUpscaler } from '../electron/core/engine/upscale/onnxUpscaler.js';
import { refineTiled } from '../electron/core/engine/upscale/refine.js';
import { checkedPlan, tiledUpscale, upscaleToImage } from '../electron/core/engine/upscale/tiledUpscale.js';
import { streamedUpscaleBytes } from '../electron/core/engine/upscale/tilePlan.js';
import { tileBorderScore } from '../electron/testing/upscale/tileSeams.js';
import { readRgba } from '../electron/core/image/io.js';
import { PngRowWriter } from '../electron/core/image/pngStream.js';
import type { RgbaImage } from '../electron/core/image/types.js';
import { projectRoot } from '../electron/core/models/defaultModel.js';
import { lanczos3Upscale, psnrSsimY } from './imageQuality.js';

/**
 * `npm run bench -- upscale [big|seams|quality] [--model DIR]…`
 * - big: 4096² → 16384² with the fixed linear ×4 test model (or --model DIR, --tiles N to stop early), streamed
 *   to a PNG (time, peak RSS vs the stated budget), and the up-front refusal of a tile that would not fit.
 * - seams: tile-border line energy (inpaint seam metric on the cut lines) after a tiled refine, with and without
 *   blending, on the demo model and the tiny SD1.5 test model.
 * - quality: PSNR/SSIM (Y channel) against the original of photographs shrunk ×4 (bicubic, antialiased) and
 *   enlarged back by bicubic, Lanczos and each --model upscaler.
 */
const ROOT = projectRoot();
const MODELS = join(ROOT, 'native-models', 'test-models');
const MB = 2 ** 20;

function arg(args: string[], name: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => a === name && args[i + 1] && out.push(args[i + 1]!));
  return out;
}

function procedural(width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      data[p] = (x * 255) / width;
      data[p + 1] = (y * 255) / height;
      data[p + 2] = 128 + 100 * Math.sin(x / 9) * Math.cos(y / 13);
      data[p + 3] = 255;
    }
  }
  return { width, height, data };
}

async function big(args: string[]): Promise<void> {
  const side = Number(arg(args, '--size')[0] ?? 4096);
  const tile = Number(arg(args, '--tile')[0] ?? 128);
  // --model DIR: a real upscaler (e.g. esrgan-thick from models convert-upscalerjs); --tiles N: stop after N
  // tiles (memory is bounded by the tile, so the first rows of tiles show the peak of the whole run).
  const modelDir = arg(args, '--model')[0] ?? join(MODELS, 'upscale-linear-x4');
  const maxTiles = Number(arg(args, '--tiles')[0] ?? Infinity);
  const model = await OnnxUpscaler.load(modelDir, 'cpu');
  if (model.scale !== 4) throw new Error(`${modelDir} is ×${model.scale}; this run is ×4`);
  const img = procedural(side, side);
  try {
    checkedPlan(side, side, model, { tile: 1024, overlap: 16 });
    console.log('tile 1024: accepted');
  } catch (e) {
    console.log(`tile 1024: refused up front: "${(e as Error).message}"`);
  }
  const plan = checkedPlan(side, side, model, { tile, overlap: 16 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-upscale-'));
  const out = join(dir, 'big.png');
  const rss0 = process.memoryUsage().rss;
  const t = performance.now();
  const png = new PngRowWriter(out, side * 4, side * 4);
  let last = 0;
  const stop = new AbortController();
  let done = 0;
  await tiledUpscale(img, model, {
    tile, overlap: 16, signal: stop.signal,
    onProgress: (p) => {
      done = p.done;
      if (p.done >= maxTiles) stop.abort();
      if (p.done - last >= plan.count / 10) {
        last = p.done;
        console.log(`  tile ${p.done}/${p.total}  ${((performance.now() - t) / 1000).toFixed(0)} s  rss ${(process.memoryUsage().rss / MB).toFixed(0)} MB`);
      }
    },
  }, (rows, _y, count) => png.write(rows, count)).catch((e: unknown) => {
    if (!stop.signal.aborted) throw e;
  });
  const complete = !stop.signal.aborted;
  await (complete ? png.close() : png.abort());
  const secs = (performance.now() - t) / 1000;
  const maxRss = process.resourceUsage().maxRSS * 1024;
  console.log(`\n| model | input | output | tile / overlap | tiles | stated host budget (estimate) | peak RSS of the process | RSS before | time | PNG |`);
  console.log(`|---|---|---|---|---|---|---|---|---|---|`);
  console.log(`| ${basename(modelDir)} | ${side}² | ${side * 4}² | ${tile} / 16 | ${complete ? plan.count : `${done} of ${plan.count} (stopped)`} | 1024 MB (${(streamedUpscaleBytes(plan) / MB).toFixed(0)} MB) | ${(maxRss / MB).toFixed(0)} MB | ${(rss0 / MB).toFixed(0)} MB | ${secs.toFixed(0)} s | ${complete ? `${(statSync(out).size / MB).toFixed(0)} MB` : '—'} |`);
  if (complete) {
    const meta = await sharp(out, { limitInputPixels: false }).metadata();
    console.log(`read back by libvips: ${meta.width}×${meta.height}`);
  }
  rmSync(dir, { recursive: true, force: true });
  await model.release();
}

async function seams(args: string[]): Promise<void> {
  const prompts = ['a large red circle on the left, blue sky', 'small yellow star top right over grass', 'center: a big white square, over grass'];
  const cases = [
    { name: 'demo atelier-shapes-128', dir: join(ROOT, 'native-models', 'demo', 'atelier-shapes-128'), base: 128, tile: 128, steps: 20 },
    { name: 'sd15-tiny (random weights)', dir: join(MODELS, 'sd15-tiny'), base: 64, tile: 64, steps: 10 },
  ];
  const strength = Number(arg(args, '--strength')[0] ?? 0.3);
  const engine = new Engine({ provider: 'cpu' });
  const up = await OnnxUpscaler.load(join(MODELS, 'upscale-linear-x4'), 'cpu');
  console.log(`\nTile-border line energy after refine (strength ${strength}, ×4 linear upscale first; seam gradient energy within 2 px of the cut lines ÷ energy 4–12 px away, 1 = no line; and ring ΔE2000 across them). Mean over ${prompts.length} prompts.\n`);
  console.log('| model | tile / overlap | upscaled, no refine | refine, hard cut | refine, blended |');
  console.log('|---|---|---|---|---|');
  try {
    for (const c of cases) {
      const overlap = c.tile / 4;
      const acc = { none: [0, 0], hard: [0, 0], blend: [0, 0] };
      for (const [k, prompt] of prompts.entries()) {
        const settings = GenerationSettingsSchema.parse({ mode: 'txt2img', prompt, width: c.base, height: c.base, steps: c.steps, guidance: 7, scheduler: 'ddim', seed: 100 + k });
        const base = (await engine.generate(c.dir, { settings })).images[0]!.image;
        const big = await upscaleToImage(base, up, { tile: 128, overlap: 16 });
        const tileFn = async ({ index, image }: { index: number; image: RgbaImage }) => {
          const s = { ...settings, mode: 'img2img' as const, width: image.width, height: image.height, strength, seed: settings.seed + index };
          return (await engine.generate(c.dir, { settings: s, initImage: image })).images[0]!.image;
        };
        const hard = await refineTiled(big, { tile: c.tile, overlap, blend: false }, tileFn);
        const blend = await refineTiled(big, { tile: c.tile, overlap }, tileFn);
        for (const [key, img] of [['none', big], ['hard', hard], ['blend', blend]] as const) {
          const s = tileBorderScore(img, c.tile, overlap);
          acc[key][0]! += s.gradientRatio / prompts.length;
          acc[key][1]! += s.ringDeltaE / prompts.length;
        }
        if (k === 0) {
          const dir = join(ROOT, 'bench', 'results');
          await sharp(Buffer.from(hard.data), { raw: { width: hard.width, height: hard.height, channels: 4 } }).png().toFile(join(dir, `refine-hard-${basename(c.dir)}.png`)).catch(() => undefined);
          await sharp(Buffer.from(blend.data), { raw: { width: blend.width, height: blend.height, channels: 4 } }).png().toFile(join(dir, `refine-blend-${basename(c.dir)}.png`)).catch(() => undefined);
        }
      }
      const f = ([g, d]: number[]) => `${g!.toFixed(2)} (ΔE ${d!.toFixed(2)})`;
      console.log(`| ${c.name} | ${c.tile} / ${overlap} | ${f(acc.none)} | ${f(acc.hard)} | ${f(acc.blend)} |`);
    }
  } finally {
    await up.release();
    await engine.release();
  }
}

const PHOTOS = ['astronaut.png', 'coffee.png', 'chelsea.png', 'rocket.jpg', 'motorcycle_left.png'].map((f) => join('/usr/lib/python3/dist-packages/skimage/data', f));

async function quality(args: string[]): Promise<void> {
  const models = arg(args, '--model');
  const photos = arg(args, '--photo').length ? arg(args, '--photo') : PHOTOS;
  const S = 4;
  const rows: string[] = [];
  const methods = ['bicubic (libvips)', 'Lanczos-3', ...models.map((m) => basename(m))];
  const loaded = await Promise.all(models.map((m) => OnnxUpscaler.load(m, 'cpu')));
  const mean = methods.map(() => [0, 0]);
  for (const file of photos) {
    const full = await readRgba(file);
    // Crop to a multiple of the factor so the ground truth and the result align exactly.
    const w = full.width - (full.width % S);
    const h = full.height - (full.height % S);
    const { data: gt } = await sharp(Buffer.from(full.data), { raw: { width: full.width, height: full.height, channels: 4 } }).extract({ left: 0, top: 0, width: w, height: h }).raw().toBuffer({ resolveWithObject: true });
    const truth: RgbaImage = { width: w, height: h, data: new Uint8Array(gt) };
    const lrBuf = await sharp(Buffer.from(truth.data), { raw: { width: w, height: h, channels: 4 } }).resize(w / S, h / S, { kernel: 'cubic' }).raw().toBuffer();
    const lr: RgbaImage = { width: w / S, height: h / S, data: new Uint8Array(lrBuf) };
    const cells: string[] = [];
    for (const [i, m] of methods.entries()) {
      let out: RgbaImage;
      if (i === 0) {
        const buf = await sharp(Buffer.from(lr.data), { raw: { width: lr.width, height: lr.height, channels: 4 } }).resize(w, h, { kernel: 'cubic' }).raw().toBuffer();
        out = { width: w, height: h, data: new Uint8Array(buf) };
      } else if (i === 1) {
        out = lanczos3Upscale(lr, w, h);
      } else {
        const model = loaded[i - 2]!;
        if (model.scale !== S) throw new Error(`${m} is ×${model.scale}; this table is ×${S}`);
        out = await upscaleToImage(lr, model, { tile: 128, overlap: 16 });
      }
      const q = psnrSsimY(truth, out, S);
      mean[i]![0]! += q.psnr / photos.length;
      mean[i]![1]! += q.ssim / photos.length;
      cells.push(`${q.psnr.toFixed(2)} / ${q.ssim.toFixed(4)}`);
    }
    rows.push(`| ${basename(file)} (${w}×${h}) | ${cells.join(' | ')} |`);
  }
  console.log(`\n×${S}, PSNR (dB) / SSIM on Y (BT.601), ${S} px border left out; low-res made with libvips' antialiased bicubic reduce.\n`);
  console.log(`| photo | ${methods.join(' | ')} |`);
  console.log(`|---|${methods.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(r);
  console.log(`| **mean** | ${mean.map(([p, s]) => `**${p!.toFixed(2)} / ${s!.toFixed(4)}**`).join(' | ')} |`);
  for (const m of loaded) await m.release();
}

export async function benchUpscale(args: string[]): Promise<void> {
  const which = args[0] && !args[0].startsWith('--') ? [args[0]] : ['big', 'seams', 'quality'];
  const rest = args[0] && !args[0].startsWith('--') ? args.slice(1) : args;
  for (const w of which) {
    if (w === 'big') await big(rest);
    else if (w === 'seams') await seams(rest);
    else if (w === 'quality') await quality(rest);
    else throw new Error(`unknown part "${w}" (big, seams, quality)`);
  }
}
