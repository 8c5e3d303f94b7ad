/**
 * Tiled super-resolution: runs a `TileUpscaler` over an image tile by tile and blends the overlaps
 * (tilePlan.ts), handing finished output rows to a sink as soon as no later tile can touch them. Host
 * memory is bounded by one band of output rows (`streamedUpscaleBytes`), so a 16384² result can be
 * streamed to a PNG writer without ever being whole in memory. Pure: no fs, no onnxruntime.
 */
import type { RgbaImage } from '../../image/types.js';
import { EngineError } from '../types.js';
import { axisWeights, planTiles, streamedUpscaleBytes, tileSettingsProblem, type TilePlan } from './tilePlan.js';

/** What the tiler needs of a model (onnxUpscaler.ts adapts an ONNX session to it). */
export interface TileUpscaler {
  readonly scale: number;
  /** The only input size the model takes, when its shapes are fixed. */
  readonly fixed?: { width: number; height: number };
  /** Planar RGB [3, h, w] in [0, 1] → planar RGB [3, h·scale, w·scale] in [0, 1] (not clamped). */
  run(rgb: Float32Array, width: number, height: number): Promise<Float32Array>;
}

/** Receives finished output rows top to bottom: `rows` is RGBA, `count` rows of the output's width. */
export type RowSink = (rows: Uint8Array, y: number, count: number) => void | Promise<void>;

export interface UpscaleProgress {
  done: number;
  total: number;
}

export interface TiledUpscaleOptions {
  tile: number;
  overlap: number;
  onProgress?: (p: UpscaleProgress) => void;
  signal?: AbortSignal;
  /** Refuse up front when the host buffers would exceed this many bytes. */
  budgetBytes?: number;
}

/** Largest output side accepted (PSD, PNG and the layer store all handle it). */
export const MAX_UPSCALE_SIDE = 16384;
/** Host-memory budget of a streamed upscale (input, one band of rows, tile tensors); the model's working memory is extra. */
export const UPSCALE_BUDGET_BYTES = 1024 * 1024 * 1024;
export const UPSCALE_DEFAULTS = { tile: 256, overlap: 16 } as const;

const MB = 1024 * 1024;

/**
 * Pixels of edge replication around the image before tiling (Real-ESRGAN's "pre-pad"): a model's zero
 * padding would otherwise darken the outermost output pixels. Half the overlap: at least the receptive
 * radius the blending already assumes (overlap / 4).
 */
export function borderPad(overlap: number): number {
  return Math.ceil(overlap / 2);
}

/** Checks sizes and budget before any work; throws one sentence. */
export function checkedPlan(width: number, height: number, model: Pick<TileUpscaler, 'scale' | 'fixed'>, opts: TiledUpscaleOptions): TilePlan {
  const problem = tileSettingsProblem(opts.tile, opts.overlap);
  if (problem) throw new EngineError(problem);
  const outW = width * model.scale;
  const outH = height * model.scale;
  if (outW > MAX_UPSCALE_SIDE || outH > MAX_UPSCALE_SIDE) {
    throw new EngineError(`×${model.scale} would make ${outW}×${outH} pixels, over the ${MAX_UPSCALE_SIDE} px limit per side; upscale a smaller image or use a smaller factor`);
  }
  const pad = borderPad(opts.overlap);
  const plan = planTiles(width + 2 * pad, height + 2 * pad, model.scale, { tile: opts.tile, overlap: opts.overlap, fixed: model.fixed });
  const need = streamedUpscaleBytes(plan);
  const budget = opts.budgetBytes ?? UPSCALE_BUDGET_BYTES;
  if (need > budget) {
    throw new EngineError(`upscaling ${width}×${height} to ${outW}×${outH} with ${plan.x.size} px tiles needs about ${Math.ceil(need / MB)} MB, over the ${Math.floor(budget / MB)} MB budget; use a smaller tile`);
  }
  return plan;
}

/** Planar [0, 1] RGB of the tile at (x0, y0), edge pixels repeated wherever the tile runs past the image. */
function readTile(img: RgbaImage, x0: number, y0: number, w: number, h: number): Float32Array {
  const out = new Float32Array(3 * w * h);
  const n = w * h;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(img.height - 1, Math.max(0, y0 + y));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, x0 + x));
      const p = (sy * img.width + sx) * 4;
      const q = y * w + x;
      out[q] = img.data[p]! / 255;
      out[n + q] = img.data[p + 1]! / 255;
      out[2 * n + q] = img.data[p + 2]! / 255;
    }
  }
  return out;
}

function isOpaque(img: RgbaImage): boolean {
  for (let i = 3; i < img.data.length; i += 4) if (img.data[i] !== 255) return false;
  return true;
}

/** Bilinear alpha for output rows [y0, y0+count): models see RGB only, so transparency is resampled. */
function alphaRows(img: RgbaImage, scale: number, y0: number, count: number, rows: Uint8Array): void {
  const outW = img.width * scale;
  for (let r = 0; r < count; r++) {
    const fy = Math.min(img.height - 1, Math.max(0, (y0 + r + 0.5) / scale - 0.5));
    const ya = Math.floor(fy);
    const yb = Math.min(img.height - 1, ya + 1);
    const ty = fy - ya;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(img.width - 1, Math.max(0, (x + 0.5) / scale - 0.5));
      const xa = Math.floor(fx);
      const xb = Math.min(img.width - 1, xa + 1);
      const tx = fx - xa;
      const d = img.data;
      const ra = ya * img.width;
      const rb = yb * img.width;
      const top = d[(ra + xa) * 4 + 3]! * (1 - tx) + d[(ra + xb) * 4 + 3]! * tx;
      const bottom = d[(rb + xa) * 4 + 3]! * (1 - tx) + d[(rb + xb) * 4 + 3]! * tx;
      rows[(r * outW + x) * 4 + 3] = Math.round(top * (1 - ty) + bottom * ty);
    }
  }
}

/**
 * Upscales `img` tile by tile, emitting every output row exactly once, in order. Progress after each tile;
 * cancel is checked between tiles. Returns the plan it used.
 */
export async function tiledUpscale(img: RgbaImage, model: TileUpscaler, opts: TiledUpscaleOptions, sink: RowSink): Promise<TilePlan> {
  const plan = checkedPlan(img.width, img.height, model, opts);
  const S = model.scale;
  // Tiles cover the image with `pad` replicated pixels around it; output rows and columns of that border are dropped.
  const pad = borderPad(opts.overlap);
  const outW = img.width * S;
  const outH = img.height * S;
  const vW = plan.width * S; // virtual (padded) output width
  const vH = plan.height * S;
  const cut = pad * S;
  const { x: xs, y: ys } = plan;
  const tileOutW = xs.size * S;
  const bandRows = ys.size * S;
  const plane = bandRows * vW;
  // acc holds virtual output rows [accY, accY + bandRows) as planar float RGB.
  const acc = new Float32Array(3 * plane);
  let accY = 0;
  const opaque = isOpaque(img);
  const xWeights = xs.starts.map((_, i) => axisWeights(xs, i, plan.overlap, S));
  let done = 0;

  const emit = async (until: number): Promise<void> => {
    const count = Math.min(until, vH) - accY;
    if (count <= 0) return;
    // The rows of this chunk inside the image, in image coordinates.
    const first = Math.max(accY, cut);
    const last = Math.min(accY + count, cut + outH);
    if (last > first) {
      const n = last - first;
      const rows = new Uint8Array(n * outW * 4);
      for (let r = 0; r < n; r++) {
        const srcRow = (first - accY + r) * vW + cut;
        for (let x = 0; x < outW; x++) {
          const p = r * outW + x;
          for (let c = 0; c < 3; c++) {
            const v = acc[c * plane + srcRow + x]! * 255;
            rows[p * 4 + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
          }
          rows[p * 4 + 3] = 255;
        }
      }
      if (!opaque) alphaRows(img, S, first - cut, n, rows);
      await sink(rows, first - cut, n);
    }
    // Shift the rows still shared with the next band to the top; clear the rest.
    const keep = (bandRows - count) * vW;
    for (let c = 0; c < 3; c++) {
      acc.copyWithin(c * plane, c * plane + count * vW, c * plane + plane);
      acc.fill(0, c * plane + keep, c * plane + plane);
    }
    accY += count;
  };

  for (let j = 0; j < ys.starts.length; j++) {
    const y0 = ys.starts[j]!;
    // Rows above this band's first output row are final.
    await emit(y0 * S);
    const yW = axisWeights(ys, j, plan.overlap, S);
    const tileOutH = ys.size * S;
    for (let i = 0; i < xs.starts.length; i++) {
      if (opts.signal?.aborted) throw new EngineError('cancelled', 'cancelled');
      const x0 = xs.starts[i]!;
      const out = await model.run(readTile(img, x0 - pad, y0 - pad, xs.size, ys.size), xs.size, ys.size);
      const tilePlane = tileOutW * tileOutH;
      if (out.length !== 3 * tilePlane) {
        throw new EngineError(`the upscaler returned ${out.length} values for a ${xs.size}×${ys.size} tile, expected ${3 * tilePlane} (×${S})`, 'invalid-model');
      }
      const xW = xWeights[i]!;
      // Only the part of the tile inside the padded image (a fixed-size tile may run past it).
      const rowsIn = Math.min(tileOutH, vH - y0 * S);
      const colsIn = Math.min(tileOutW, vW - x0 * S);
      const rowOff = y0 * S - accY;
      for (let r = 0; r < rowsIn; r++) {
        const wy = yW[r]!;
        if (wy === 0) continue;
        const dst = (rowOff + r) * vW + x0 * S;
        for (let c = 0; c < 3; c++) {
          const src = c * tilePlane + r * tileOutW;
          const base = c * plane + dst;
          for (let x = 0; x < colsIn; x++) acc[base + x]! += out[src + x]! * xW[x]! * wy;
        }
      }
      opts.onProgress?.({ done: ++done, total: plan.count });
    }
  }
  await emit(vH);
  return plan;
}

/** Results held whole in memory (layers, tests) stay at or under this many pixels per side. */
export const MAX_IN_MEMORY_SIDE = 8192;

/** The whole result in memory (layers, tests): a sink that copies rows into one RGBA image. */
export async function upscaleToImage(img: RgbaImage, model: TileUpscaler, opts: TiledUpscaleOptions): Promise<RgbaImage> {
  const width = img.width * model.scale;
  const height = img.height * model.scale;
  if (Math.max(width, height) > MAX_IN_MEMORY_SIDE && Math.max(width, height) <= MAX_UPSCALE_SIDE) {
    throw new EngineError(`×${model.scale} would make ${width}×${height} pixels; a layer can be at most ${MAX_IN_MEMORY_SIDE} px per side (the CLI upscale command streams larger results to a file)`);
  }
  checkedPlan(img.width, img.height, model, opts);
  const data = new Uint8Array(width * height * 4);
  await tiledUpscale(img, model, opts, (rows, y) => {
    data.set(rows, y * width * 4);
  });
  return { width, height, data };
}
