import { randomInt } from 'node:crypto';
import { GENERATION_DEFAULTS, GenerationSettingsSchema, INPAINT_BLENDS, INPAINT_PREFILLS, SCHEDULER_NAMES, type GenerationMode, type GenerationSettings, type SchedulerName } from '../../contract/generation.js';
import type { ProviderPreference } from '../../core/engine/onnx/providers.js';
import { PROVIDER_PREFERENCES } from '../../core/engine/onnx/providers.js';
import type { GenerationMetadata } from '../../core/export/generationMetadata.js';
import { readMask, readRgba } from '../../core/image/io.js';
import { readModelFolder } from '../../core/models/modelFolder.js';
import { defaultModelDir } from '../../core/models/defaultModel.js';
import { localGeneration } from '../../core/jobs/localEngine.js';
import { resolveDataDir } from '../../core/store/dataDir.js';
import { INPAINT_DEFAULTS } from '../../core/engine/inpaint/inpaintOptions.js';
import { growCanvas, parseExtend } from '../../core/engine/inpaint/outpaint.js';
import { intOption, numberOption, parse } from './args.js';
import { CliError, type CliCommand, type CliIo } from './command.js';
import { isLayeredOutput, writeLayeredResult } from './layeredOutput.js';
import { parseRegionArg } from './regionArgs.js';
import { CONTROL_OPTIONS, CONTROL_USAGE, readControlArgs } from './controlArgs.js';
import { applyStyle, type StylePreset } from '../../contract/styles.js';
import { UserStyles } from '../../core/store/userStyles.js';
import { checkImageOutput, outputPathFor, writeImage } from './output.js';

const COMMON_USAGE = `  --model DIR        ONNX model folder (default: the embedded demo model)
  --prompt TEXT      what to draw (required)
  --negative TEXT    what to avoid
  --style NAME       a style preset: the app's (Photographic, Cinematic, Anime, …) or one saved in the app;
                     wraps the prompt and negative, and sets sampler/steps/guidance where the style has them
                     (explicit --scheduler/--steps/--guidance still win)
  --region "X,Y,W,H:PROMPT"  a rectangle of the output (pixels) drawn from its own prompt; repeatable
                     (up to 8); --prompt is the base prompt for the rest of the picture
  --scheduler NAME   ${SCHEDULER_NAMES.join(' | ')} (default: the model's recommendation, else euler-a)
  --steps N          denoising steps (default: model's recommendation, else 20)
  --guidance G       classifier-free guidance scale; ≤ 1 disables it (default 7)
  --seed S           0 … 4294967295 (default: random; printed)
  --width W, --height H   multiples of 8 (default: the model's size, or the input image's)
  --batch N          images to make; seeds S, S+1, … (files out.png, out-2.png, …)
  --provider P       ${PROVIDER_PREFERENCES.join(' | ')} (default: settings.json, else auto)
  --quality Q        JPEG/WebP quality 1–100
  --out FILE         .png | .jpg | .webp | .psd | .ora | .atelier (format follows the extension; required)
                     layered formats hold the input (img2img, inpaint) and the result, masked for inpaint
  --lora FILE[:S]    merge a LoRA (.safetensors) at strength S (default 1); repeatable. <lora:NAME:S> in the
                     prompt takes NAME from the data folder's loras/
${CONTROL_USAGE}
  --data DIR         history folder (default: $ATELIER_DATA_DIR, else the platform's app data folder)
  --no-history       do not record this generation in the history`;

const OPTIONS = {
  model: { type: 'string' },
  prompt: { type: 'string' },
  negative: { type: 'string' },
  region: { type: 'string', multiple: true },
  style: { type: 'string' },
  scheduler: { type: 'string' },
  steps: { type: 'string' },
  guidance: { type: 'string' },
  seed: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  batch: { type: 'string' },
  strength: { type: 'string' },
  feather: { type: 'string' },
  'color-match': { type: 'string' },
  blend: { type: 'string' },
  prefill: { type: 'string' },
  'mask-margin': { type: 'string' },
  image: { type: 'string' },
  mask: { type: 'string' },
  extend: { type: 'string' },
  provider: { type: 'string' },
  quality: { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
  data: { type: 'string' },
  'no-history': { type: 'boolean' },
  lora: { type: 'string', multiple: true },
  ...CONTROL_OPTIONS,
} as const;

/** `--lora FILE[:STRENGTH]`: the strength is what follows the last colon when it is a number. */
export function parseLoraOption(value: string): { file: string; strength: number } {
  const m = /^(.+):(-?\d+(?:\.\d+)?|-?\.\d+)$/.exec(value);
  const [file, strength] = m ? [m[1]!, Number(m[2])] : [value, 1];
  if (Math.abs(strength) > 4) throw new CliError(`--lora ${value}: the strength must be between -4 and 4`);
  return { file, strength };
}

/** `--color-match`, `--blend`, `--prefill`, `--mask-margin` → settings fields (the app's defaults when absent). */
function inpaintCliOptions(v: { 'color-match'?: string; blend?: string; prefill?: string; 'mask-margin'?: string }) {
  const choice = <T extends string>(value: string | undefined, name: string, allowed: readonly T[], fallback: T): T => {
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) throw new CliError(`--${name} must be ${allowed.join(' or ')} (got "${value}")`);
    return value as T;
  };
  return {
    colorMatch: choice(v['color-match'], 'color-match', ['on', 'off'] as const, INPAINT_DEFAULTS.colorMatch ? 'on' : 'off') === 'on',
    blend: choice(v.blend, 'blend', INPAINT_BLENDS, INPAINT_DEFAULTS.blend),
    prefill: choice(v.prefill, 'prefill', INPAINT_PREFILLS, INPAINT_DEFAULTS.prefill),
    maskMargin: intOption(v['mask-margin'], 'mask-margin', INPAINT_DEFAULTS.marginPx),
  };
}

function styleNamed(dataDir: string, name: string): StylePreset {
  const styles = new UserStyles(dataDir);
  const found = styles.find(name);
  if (!found) throw new CliError(`unknown style "${name}" (choose ${styles.list().styles.map((s) => s.name).join(', ')})`);
  return found;
}

export function resolveModelDir(given: string | undefined): string {
  const dir = given ?? defaultModelDir();
  if (!dir) throw new CliError('no model given and the demo model is not installed: pass --model DIR');
  return dir;
}

function progressPrinter(io: CliIo, quiet: boolean) {
  if (quiet || !process.stderr.isTTY) return undefined;
  return ({ done, total }: { done: number; total: number }) => {
    process.stderr.write(`\rstep ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

/** `outpaint` is inpaint on the input grown by transparent margins (the engine fills and masks them: outpaint.ts). */
async function run(command: GenerationMode | 'outpaint', args: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(args, OPTIONS);
  const mode: GenerationMode = command === 'outpaint' ? 'inpaint' : command;
  if (command === 'outpaint' && (v.mask || !v.extend)) throw new CliError('outpaint takes --extend SIDE:PX[,SIDE:PX…] (left, right, top, bottom) and no --mask');
  if (command !== 'outpaint' && v.extend) throw new CliError('--extend belongs to outpaint');
  if (v.prompt === undefined) throw new CliError('--prompt is required');
  if (!v.out) throw new CliError('--out FILE is required');
  if (!isLayeredOutput(v.out)) checkImageOutput(v.out);
  if (mode !== 'txt2img' && !v.image) throw new CliError('--image FILE is required');
  if (command === 'inpaint' && !v.mask) throw new CliError('--mask FILE is required (white repaints, black keeps)');
  if (mode === 'txt2img' && (v.image || v.mask)) throw new CliError('generate takes no --image or --mask: use img2img or inpaint');
  if (v.provider !== undefined && !PROVIDER_PREFERENCES.includes(v.provider as ProviderPreference)) {
    throw new CliError(`--provider must be one of ${PROVIDER_PREFERENCES.join(', ')}`);
  }

  const modelDir = resolveModelDir(v.model);
  const layout = readModelFolder(modelDir);
  const rec = layout.recommended ?? {};
  const scheduler = (v.scheduler ?? rec.scheduler ?? GENERATION_DEFAULTS.scheduler) as SchedulerName;
  if (!SCHEDULER_NAMES.includes(scheduler)) throw new CliError(`unknown scheduler "${scheduler}" (choose ${SCHEDULER_NAMES.join(', ')})`);

  let initImage = v.image ? await readRgba(v.image, 'image') : undefined;
  let mask = v.mask ? await readMask(v.mask, 'mask') : undefined;
  if (command === 'outpaint' && initImage) ({ image: initImage, mask } = growCanvas(initImage, parseExtend(v.extend!)));
  if (initImage && mask && (mask.width !== initImage.width || mask.height !== initImage.height)) {
    throw new CliError(`mask is ${mask.width}×${mask.height} but the image is ${initImage.width}×${initImage.height}: they must match`);
  }
  const controls = await readControlArgs(v);
  const sizeDefault = layout.family === 'sdxl' ? 1024 : 512;
  const width = intOption(v.width, 'width', initImage?.width ?? controls.size?.width ?? rec.width ?? sizeDefault);
  const height = intOption(v.height, 'height', initImage?.height ?? controls.size?.height ?? rec.height ?? sizeDefault);
  if (initImage && (initImage.width !== width || initImage.height !== height)) {
    throw new CliError(`the image is ${initImage.width}×${initImage.height}; --width/--height must match it (or resize the image)`);
  }

  const dataDir = resolveDataDir(v.data);
  const style = v.style === undefined ? undefined : styleNamed(dataDir, v.style);
  const parsed = GenerationSettingsSchema.safeParse({
    mode,
    prompt: v.prompt,
    negativePrompt: v.negative ?? GENERATION_DEFAULTS.negativePrompt,
    width,
    height,
    steps: intOption(v.steps, 'steps', style?.steps ?? rec.steps ?? GENERATION_DEFAULTS.steps),
    guidance: numberOption(v.guidance, 'guidance', style?.guidance ?? rec.guidance ?? GENERATION_DEFAULTS.guidance),
    scheduler: v.scheduler === undefined && style?.scheduler ? style.scheduler : scheduler,
    seed: intOption(v.seed, 'seed', randomInt(0, 0xffffffff)),
    batch: intOption(v.batch, 'batch', 1),
    // Inpaint repaints from noise unless a pre-fill is asked for, which exists to be partly kept.
    strength: numberOption(v.strength, 'strength', mode === 'inpaint' && (v.prefill ?? GENERATION_DEFAULTS.prefill) === 'none' ? 1 : GENERATION_DEFAULTS.strength),
    maskFeather: intOption(v.feather, 'feather', INPAINT_DEFAULTS.feather),
    ...inpaintCliOptions(v),
    ...(v.region?.length ? { regions: v.region.map(parseRegionArg) } : {}),
    ...(controls.refs.length ? { controls: controls.refs } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`--${String(issue.path[0] ?? 'settings')}: ${issue.message}`);
  }
  // The flags chose sampler/steps/guidance above (style as their default), so only the prompts come from the style here.
  const settings: GenerationSettings = style ? applyStyle(parsed.data, { ...style, scheduler: undefined, steps: undefined, guidance: undefined }) : parsed.data;

  // The one generation service, with the user's engine settings (safety checker, prompt filter) as in the app.
  const local = localGeneration(dataDir, { provider: v.provider, history: v['no-history'] ? false : undefined });
  try {
    for (const notice of local.notices) io.err(`note: ${notice}`);
    const printer = progressPrinter(io, v.quiet ?? false);
    const out = await local.service.run(
      {
        settings, model: { name: layout.name, dir: modelDir },
        initImage: initImage && { pixels: initImage }, mask: mask && { pixels: mask },
        loraFiles: (v.lora ?? []).map(parseLoraOption),
        ...(controls.inputs.length ? { controlInputs: controls.inputs } : {}),
      },
      printer && ((p) => printer(p)),
    );
    const quality = v.quality === undefined ? undefined : intOption(v.quality, 'quality', 92);
    for (let i = 0; i < out.images.length; i++) {
      const { image, seed } = out.images[i]!;
      // The same metadata the stored PNG carries (settings, model as the job started, seed, provider).
      const meta: GenerationMetadata = {
        settings: out.settings, model: out.model.name, provider: out.provider, seed, createdAt: new Date().toISOString(), app: 'atelier',
        ...(out.model.hash ? { modelHash: out.model.hash } : {}),
      };
      const path = outputPathFor(v.out, i, out.images.length);
      if (isLayeredOutput(path)) {
        await writeLayeredResult(path, { settings: out.settings, model: out.model.name, seed, result: image, initImage, mask });
      } else {
        await writeImage(path, image, meta, quality);
      }
      if (!v.quiet) io.out(`${path}  seed ${seed}`);
    }
    for (const w of out.warnings ?? []) io.err(`warning: ${w}`);
    if (!v.quiet) {
      const t = out.timings;
      io.out(
        `${out.model.name} on ${out.provider}: load ${t.loadMs.toFixed(0)} ms, encode ${t.encodeMs.toFixed(0)} ms, ` +
          `denoise ${t.denoiseMs.toFixed(0)} ms, decode ${t.decodeMs.toFixed(0)} ms, total ${t.totalMs.toFixed(0)} ms`,
      );
    }
    return 0;
  } finally {
    await local.close();
  }
}

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'text to image',
  usage: `npm run cli -- generate --prompt TEXT --out FILE [options]\n${COMMON_USAGE}`,
  run: (args, io) => run('txt2img', args, io),
};

export const img2imgCommand: CliCommand = {
  name: 'img2img',
  summary: 'image to image',
  usage: `npm run cli -- img2img --image FILE --prompt TEXT --out FILE [--strength X] [options]
  --image FILE       the starting image (its size is the generation size)
  --strength X       0–1: how much to change it (default 0.75)
${COMMON_USAGE}`,
  run: (args, io) => run('img2img', args, io),
};

export const inpaintCommand: CliCommand = {
  name: 'inpaint',
  summary: 'repaint the masked part of an image',
  usage: `npm run cli -- inpaint --image FILE --mask FILE --prompt TEXT --out FILE [options]
  --image FILE       the image to edit
  --mask FILE        same size; white repaints, black keeps
  --strength X       0–1 (default 1: repaint from noise; 0.75 with --prefill patch)
  --feather PX       0–8 px soft edge inside the mask (default 4); pixels outside the mask never change
  --color-match on|off     match the new region's colour to its surroundings (default on)
  --blend multiband|linear paste-back across the feather: multiband keeps detail sharp (default multiband)
  --prefill none|patch     fill the mask from its surroundings first, for removing things (default none;
                           with patch, --strength defaults to 0.75 so part of the fill is kept)
  --mask-margin PX   0–64 px of context the model repaints around the mask (default 16)
${COMMON_USAGE}`,
  run: (args, io) => run('inpaint', args, io),
};

export const outpaintCommand: CliCommand = {
  name: 'outpaint',
  summary: 'grow an image past its edges',
  usage: `npm run cli -- outpaint --image FILE --extend SIDE:PX[,SIDE:PX…] --prompt TEXT --out FILE [options]
  --image FILE       the picture to grow; its own pixels come back unchanged
  --extend SPEC      margins to add, e.g. right:128 or left:64,top:64 (SIDE: left, right, top, bottom;
                     PX a multiple of 8); the output is the image grown by them
  --feather, --color-match, --blend, --mask-margin   as for inpaint
${COMMON_USAGE}`,
  run: (args, io) => run('outpaint', args, io),
};
