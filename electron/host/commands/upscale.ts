import { randomInt } from 'node:crypto';
import { extname } from 'node:path';
import { GenerationSettingsSchema, SCHEDULER_NAMES, type GenerationSettings, type SchedulerName } from '../../contract/generation.js';
import { PROVIDER_PREFERENCES, type ProviderPreference } from '../../core/engine/onnx/providers.js';
import { OnnxUpscaler } from '../../core/engine/upscale/onnxUpscaler.js';
import { REFINE_DEFAULTS } from '../../core/engine/upscale/refine.js';
import { parseRegionArg } from './regionArgs.js';
import { tiledUpscale, UPSCALE_DEFAULTS } from '../../core/engine/upscale/tiledUpscale.js';
import { scaleProblem } from '../../core/engine/upscale/upscaleJob.js';
import { localGeneration } from '../../core/jobs/localEngine.js';
import { formatFromPath } from '../../core/export/pngMetadata.js';
import { readRgba } from '../../core/image/io.js';
import { PngRowWriter } from '../../core/image/pngStream.js';
import { readModelFolder } from '../../core/models/modelFolder.js';
import { engineOptionsFor } from '../../core/jobs/engineSettings.js';
import { resolveDataDir } from '../../core/store/dataDir.js';
import { intOption, numberOption, parse } from './args.js';
import { CliError, type CliCommand, type CliIo } from './command.js';
import { writeImage } from './output.js';

const OPTIONS = {
  image: { type: 'string' },
  model: { type: 'string' },
  scale: { type: 'string' },
  tile: { type: 'string' },
  overlap: { type: 'string' },
  refine: { type: 'string' },
  'sd-model': { type: 'string' },
  prompt: { type: 'string' },
  negative: { type: 'string' },
  seed: { type: 'string' },
  steps: { type: 'string' },
  guidance: { type: 'string' },
  scheduler: { type: 'string' },
  'refine-tile': { type: 'string' },
  'refine-overlap': { type: 'string' },
  region: { type: 'string', multiple: true },
  provider: { type: 'string' },
  quality: { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
  data: { type: 'string' },
} as const;

const USAGE = `npm run cli -- upscale --image FILE --model DIR --out FILE [options]
  --image FILE       the picture to enlarge
  --model DIR        ONNX super-resolution model: a folder with model.onnx (+ optional upscaler.json: scale,
                     range) or an .onnx file; its scale is read from the model
  --scale N          output factor, at most the model's (smaller: the model's result resized down, Lanczos)
  --tile PX          input tile side (default: upscaler.json's tile, else ${UPSCALE_DEFAULTS.tile}); smaller tiles use less memory
  --overlap PX       pixels neighbouring tiles share, blended (default ${UPSCALE_DEFAULTS.overlap}; less than half the tile)
  --refine STRENGTH  then repaint at low strength with an SD model, tile by tile (0–1; ${REFINE_DEFAULTS.strength} is typical)
  --sd-model DIR     the SD model for --refine (required with it)
  --prompt TEXT      what the picture shows, for --refine (required with it)
  --negative TEXT, --seed S, --steps N, --guidance G, --scheduler NAME   refine settings (defaults: the SD model's)
  --refine-tile PX, --refine-overlap PX   refine tiling (default: the SD model's size, a quarter of it)
  --region "X,Y,W,H:PROMPT"  for --refine: a rectangle of the input image (pixels) repainted from its own
                     prompt, scaled with the image; repeatable
  --provider P       ${PROVIDER_PREFERENCES.join(' | ')} (default: settings.json, else auto)
  --quality Q        JPEG/WebP quality 1–100
  --out FILE         .png | .jpg | .webp; a plain .png at the model's factor is streamed (up to 16384² output)
  --data DIR         settings folder (default: $ATELIER_DATA_DIR, else the platform's app data folder)`;

function progressPrinter(quiet: boolean) {
  if (quiet || !process.stderr.isTTY) return undefined;
  return ({ done, total }: { done: number; total: number }) => process.stderr.write(`\rtile ${done}/${total}${done === total ? '\n' : ''}`);
}

/** Ctrl-C cancels between tiles (and removes a half-written file) instead of killing the process. */
function cancelOnInterrupt(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

function refineSettings(v: Record<string, string | boolean | string[] | undefined>, sdModel: string, strength: number): GenerationSettings {
  const rec = readModelFolder(sdModel).recommended ?? {};
  const scheduler = (v['scheduler'] as string | undefined) ?? rec.scheduler ?? 'euler-a';
  if (!SCHEDULER_NAMES.includes(scheduler as SchedulerName)) throw new CliError(`unknown scheduler "${scheduler}" (choose ${SCHEDULER_NAMES.join(', ')})`);
  const parsed = GenerationSettingsSchema.safeParse({
    mode: 'img2img',
    prompt: v['prompt'],
    negativePrompt: (v['negative'] as string | undefined) ?? '',
    width: 512, // per tile; replaced by the tile's size
    height: 512,
    steps: intOption(v['steps'] as string | undefined, 'steps', rec.steps ?? 20),
    guidance: numberOption(v['guidance'] as string | undefined, 'guidance', rec.guidance ?? 7),
    scheduler,
    seed: intOption(v['seed'] as string | undefined, 'seed', randomInt(0, 0xffffffff)),
    strength,
    ...(Array.isArray(v['region']) && v['region'].length ? { regions: v['region'].map(parseRegionArg) } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`--${String(issue.path[0] ?? 'settings')}: ${issue.message}`);
  }
  return parsed.data;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(args, OPTIONS);
  if (!v.image) throw new CliError('--image FILE is required');
  if (!v.model) throw new CliError('--model DIR is required (an ONNX super-resolution model)');
  if (!v.out) throw new CliError('--out FILE is required');
  const format = formatFromPath(v.out);
  if (!format) throw new CliError(`--out ${v.out}: unsupported extension "${extname(v.out) || '(none)'}" (use .png, .jpg or .webp)`);
  if (v.provider !== undefined && !PROVIDER_PREFERENCES.includes(v.provider as ProviderPreference)) {
    throw new CliError(`--provider must be one of ${PROVIDER_PREFERENCES.join(', ')}`);
  }
  const strength = v.refine === undefined ? undefined : numberOption(v.refine, 'refine', REFINE_DEFAULTS.strength);
  if (strength !== undefined) {
    if (!(strength > 0 && strength <= 1)) throw new CliError(`--refine must be more than 0 and at most 1 (got ${strength})`);
    if (!v['sd-model']) throw new CliError('--refine needs --sd-model DIR (the SD model that repaints the tiles)');
    if (v.prompt === undefined) throw new CliError('--refine needs --prompt TEXT (what the picture shows)');
  } else if (v.region?.length) {
    throw new CliError('--region applies to the repaint: add --refine STRENGTH (with --sd-model and --prompt)');
  }
  const tile = intOption(v.tile, 'tile', 0) || undefined;
  const overlap = v.overlap === undefined ? undefined : intOption(v.overlap, 'overlap', UPSCALE_DEFAULTS.overlap);
  const scale = v.scale === undefined ? undefined : numberOption(v.scale, 'scale', 0);

  const dataDir = resolveDataDir(v.data);
  const { notices, ...engineOptions } = engineOptionsFor(dataDir, { provider: v.provider });
  for (const notice of notices) io.err(`note: ${notice}`);
  const provider = engineOptions.provider ?? 'auto';
  const image = await readRgba(v.image, 'image');
  const onProgress = progressPrinter(v.quiet ?? false);
  const cancel = cancelOnInterrupt();
  const started = performance.now();
  try {
    // A plain PNG at the model's own factor streams row bands to disk: memory stays at one band.
    if (format === 'png' && strength === undefined) {
      const upscaler = await OnnxUpscaler.load(v.model, provider);
      try {
        if (scale === undefined || scale === upscaler.scale) {
          const s = upscaler.scale;
          const png = new PngRowWriter(v.out, image.width * s, image.height * s);
          try {
            const plan = await tiledUpscale(image, upscaler, {
              tile: tile ?? upscaler.info.suggestedTile ?? UPSCALE_DEFAULTS.tile, overlap: overlap ?? UPSCALE_DEFAULTS.overlap,
              signal: cancel.signal, onProgress,
            }, (rows, _y, count) => png.write(rows, count));
            await png.close();
            if (!v.quiet) io.out(`${v.out}  ${image.width * s}×${image.height * s} (×${s}, ${plan.count} tiles of ${plan.x.size} px, ${upscaler.info.provider}, ${((performance.now() - started) / 1000).toFixed(1)} s)`);
            return 0;
          } catch (e) {
            await png.abort();
            throw e;
          }
        }
        const problem = scaleProblem(scale, upscaler.scale);
        if (problem) throw new CliError(problem);
      } finally {
        await upscaler.release();
      }
    }
    // Resized or refined results go through the engine queue, as the app's Upscale… does (one code path).
    const local = localGeneration(dataDir, { provider: v.provider, history: false });
    const jobId = `cli-${randomInt(0, 2 ** 31)}`;
    const onCancel = () => local.engine.cancel(jobId);
    cancel.signal.addEventListener('abort', onCancel);
    try {
      const sdModel = v['sd-model'];
      const refine = strength !== undefined && sdModel
        ? {
            modelDir: sdModel,
            settings: refineSettings(v, sdModel, strength),
            tile: v['refine-tile'] === undefined ? undefined : intOption(v['refine-tile'], 'refine-tile', 512),
            overlap: v['refine-overlap'] === undefined ? undefined : intOption(v['refine-overlap'], 'refine-overlap', 128),
          }
        : undefined;
      const result = await local.engine.upscale(jobId, { image, upscaler: v.model, scale, tile, overlap, refine }, onProgress);
      const { image: out, upscaler: info } = result;
      const meta = refine ? { settings: refine.settings, model: readModelFolder(refine.modelDir).name, seed: refine.settings.seed, app: 'atelier' as const, createdAt: new Date().toISOString() } : undefined;
      await writeImage(v.out, out, meta, v.quality === undefined ? undefined : intOption(v.quality, 'quality', 92));
      if (!v.quiet) {
        const t = result.timings;
        io.out(`${v.out}  ${out.width}×${out.height} (model ×${info.scale} on ${info.provider}; upscale ${(t.upscaleMs / 1000).toFixed(1)} s` +
          (refine ? `, refine ${result.refinedTiles} tiles at strength ${strength} ${(t.refineMs / 1000).toFixed(1)} s` : '') + ')');
      }
      return 0;
    } finally {
      cancel.signal.removeEventListener('abort', onCancel);
      await local.close();
    }
  } finally {
    cancel.dispose();
  }
}

export const upscaleCommand: CliCommand = {
  name: 'upscale',
  summary: 'enlarge an image with an ONNX super-resolution model (optionally refine with SD)',
  usage: USAGE,
  run,
};
