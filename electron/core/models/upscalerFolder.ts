import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelFolderError } from './modelFolderError.js';

/**
 * An upscaler folder: its .onnx file and the optional `upscaler.json` beside it (scale, value range,
 * tile, label). Read by the engine's ONNX upscaler, the installed-upscaler list and the converters.
 */

export const UPSCALER_META_FILE = 'upscaler.json';
const UpscalerMetaSchema = z.object({
  type: z.literal('atelier-upscaler').optional(),
  version: z.literal(1).optional(),
  scale: z.number().int().min(1).max(16).optional(),
  range: z.tuple([z.number(), z.number()]).refine(([lo, hi]) => hi > lo, 'range must be [low, high] with high > low').optional(),
  /** A tile size the model works well at (e.g. a multiple of its attention window). */
  tile: z.number().int().min(16).max(4096).optional(),
  label: z.string().max(120).optional(),
}).passthrough();
export type UpscalerMeta = z.infer<typeof UpscalerMetaSchema>;

/** The .onnx file of an upscaler given as a file or a folder (model.onnx, else the folder's only .onnx). */
export function upscalerFile(path: string): string {
  if (!existsSync(path)) throw new ModelFolderError(`upscaler not found: ${path}`);
  if (statSync(path).isFile()) return path;
  if (existsSync(join(path, 'model.onnx'))) return join(path, 'model.onnx');
  const onnx = readdirSync(path).filter((f) => f.endsWith('.onnx'));
  if (onnx.length === 1) return join(path, onnx[0]!);
  throw new ModelFolderError(`${path} has ${onnx.length === 0 ? 'no' : 'several'} .onnx files; an upscaler folder holds model.onnx`);
}

export function readUpscalerMeta(path: string): UpscalerMeta {
  const file = statSync(path).isFile() ? join(path, '..', UPSCALER_META_FILE) : join(path, UPSCALER_META_FILE);
  if (!existsSync(file)) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ModelFolderError(`${file} is not valid JSON`);
  }
  const r = UpscalerMetaSchema.safeParse(value);
  if (!r.success) throw new ModelFolderError(`${file} is invalid: ${r.error.issues[0]?.message ?? 'unknown problem'}`);
  return r.data;
}
