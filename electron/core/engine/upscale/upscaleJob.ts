/**
 * One upscale job as hosts run it (CLI, the engine process behind the app): load the upscaler, tile it
 * over the image, resize to the asked factor, and optionally refine with an SD model. Results that are to
 * stay in memory (a layer) go through here; the CLI streams big plain results straight to a PNG instead.
 */
import type { GenerationSettings } from '../../../contract/generation.js';
import { resizeRgba } from '../../image/io.js';
import type { RgbaImage } from '../../image/types.js';
import { readModelFolder } from '../modelFolders.js';
import type { ProviderPreference } from '../onnx/providers.js';
import { EngineError, type GenerateOptions, type GenerateRequest, type GenerateResult } from '../types.js';
import { OnnxUpscaler, type UpscalerInfo } from './onnxUpscaler.js';
import { REFINE_DEFAULTS, refineTileCount, refineTiled, regionsForTile } from './refine.js';
import { checkedPlan, upscaleToImage, UPSCALE_DEFAULTS, type UpscaleProgress } from './tiledUpscale.js';

export interface RefineRequest {
  /** The SD model folder that repaints the tiles. */
  modelDir: string;
  /** Prompt, seed, steps, guidance, scheduler, strength; width/height/mode are set per tile. Tile i uses seed + i. */
  /** The refine's prompt and seed scheme; `regions` are in the coordinates of the image being upscaled (scaled with it). */
  settings: GenerationSettings;
  tile?: number;
  overlap?: number;
  blend?: boolean;
}

export interface UpscaleRequest {
  image: RgbaImage;
  /** Upscaler folder (model.onnx [+ upscaler.json]) or .onnx file. */
  upscaler: string;
  /** Output factor; at most the model's own (then the model's result is resized down, Lanczos). Default: the model's. */
  scale?: number;
  tile?: number;
  overlap?: number;
  refine?: RefineRequest;
}

export interface UpscaleResult {
  image: RgbaImage;
  upscaler: UpscalerInfo;
  refinedTiles: number;
  timings: { loadMs: number; upscaleMs: number; refineMs: number; totalMs: number };
}

/** What refinement needs of the engine: its img2img (the Engine's own generate, honouring its settings). */
export type GenerateFn = (modelDir: string, request: GenerateRequest, options: GenerateOptions) => Promise<GenerateResult>;

/** The refine tile for a model: its recommended size, else its family's native one. */
export function defaultRefineTile(modelDir: string): number {
  const layout = readModelFolder(modelDir);
  return layout.recommended?.width ?? (layout.family === 'sdxl' ? 1024 : 512);
}

export function scaleProblem(scale: number, modelScale: number): string | undefined {
  if (!(scale > 0) || scale > modelScale) return `this upscaler enlarges ×${modelScale}; the factor must be more than 0 and at most ${modelScale} (got ${scale})`;
  return undefined;
}

export async function runUpscale(
  req: UpscaleRequest,
  deps: { provider?: ProviderPreference; generate?: GenerateFn },
  opts: { onProgress?: (p: UpscaleProgress) => void; signal?: AbortSignal } = {},
): Promise<UpscaleResult> {
  const t0 = performance.now();
  const upscaler = await OnnxUpscaler.load(req.upscaler, deps.provider ?? 'auto');
  const loadMs = performance.now() - t0;
  try {
    const scale = req.scale ?? upscaler.scale;
    const problem = scaleProblem(scale, upscaler.scale);
    if (problem) throw new EngineError(problem);
    const tiling = { tile: req.tile ?? upscaler.info.suggestedTile ?? UPSCALE_DEFAULTS.tile, overlap: req.overlap ?? UPSCALE_DEFAULTS.overlap };
    const plan = checkedPlan(req.image.width, req.image.height, upscaler, tiling);
    const outW = Math.round(req.image.width * scale);
    const outH = Math.round(req.image.height * scale);
    const refine = req.refine;
    const refineTiling = refine && {
      tile: refine.tile ?? defaultRefineTile(refine.modelDir),
      overlap: refine.overlap ?? Math.round((refine.tile ?? defaultRefineTile(refine.modelDir)) * REFINE_DEFAULTS.overlapFraction),
      blend: refine.blend,
    };
    if (refine && !deps.generate) throw new EngineError('refining needs the engine (an SD model); this host cannot refine', 'runtime');
    const refineTiles = refineTiling ? refineTileCount(outW, outH, refineTiling) : 0;
    const total = plan.count + refineTiles;

    const t1 = performance.now();
    let image = await upscaleToImage(req.image, upscaler, {
      ...tiling,
      signal: opts.signal,
      onProgress: (p) => opts.onProgress?.({ done: p.done, total }),
    });
    if (scale !== upscaler.scale) image = await resizeRgba(image, outW, outH);
    const upscaleMs = performance.now() - t1;

    const t2 = performance.now();
    if (refine && refineTiling && deps.generate) {
      const generate = deps.generate;
      const { regions: inputRegions, ...base } = refine.settings;
      image = await refineTiled(image, refineTiling, async (tile) => {
        const regions = regionsForTile(inputRegions ?? [], outW / req.image.width, outH / req.image.height, { x: tile.x, y: tile.y, width: tile.image.width, height: tile.image.height });
        const settings: GenerationSettings = {
          ...base, mode: 'img2img', batch: 1, width: tile.image.width, height: tile.image.height,
          seed: (refine.settings.seed + tile.index) >>> 0, ...(regions.length > 0 ? { regions } : {}),
        };
        const result = await generate(refine.modelDir, { settings, initImage: tile.image }, { signal: opts.signal });
        opts.onProgress?.({ done: plan.count + tile.index + 1, total });
        return result.images[0]!.image;
      }, opts.signal);
    }
    const refineMs = performance.now() - t2;
    return { image, upscaler: upscaler.info, refinedTiles: refineTiles, timings: { loadMs, upscaleMs, refineMs, totalMs: performance.now() - t0 } };
  } finally {
    await upscaler.release();
  }
}
