import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ModelFamily } from '../../contract/modelFamily.js';
import { ModelFolderError } from './modelFolderError.js';
import { checkWeightFiles } from './weightFiles.js';
import { GenerationSettingsSchema } from '../../contract/generation.js';

/**
 * A diffusers / optimum ONNX model folder, read and checked before any session is created,
 * so that a broken folder is reported in one line instead of a runtime stack trace.
 */
export interface ModelPart {
  /** Path to model.onnx (external weights, if any, sit beside it and are found by the runtime). */
  file: string;
  /** The part's config.json, parsed, or {} when absent. */
  config: Record<string, unknown>;
}

export interface TokenizerFiles {
  dir: string;
  vocabJson: string;
  mergesTxt: string;
  tokenizerConfig?: unknown;
  specialTokensMap?: unknown;
}

export interface ModelLayout {
  dir: string;
  name: string;
  /** Human label for pickers (from model_index.json `_atelier.label`, else the folder name). */
  label: string;
  family: ModelFamily;
  pipelineClass: string;
  tokenizer: TokenizerFiles;
  tokenizer2?: TokenizerFiles;
  textEncoder: ModelPart;
  textEncoder2?: ModelPart;
  unet: ModelPart;
  /**
   * `controlnet/model.onnx` beside the UNet, where OnnxStack's base-model converter writes the same UNet
   * taking ControlNet residuals as inputs; used instead of `unet` for jobs with a control.
   */
  controlUnet?: ModelPart;
  vaeDecoder: ModelPart;
  vaeEncoder?: ModelPart;
  schedulerConfig: Record<string, unknown>;
  vaeScalingFactor: number;
  /** Settings the model's authors recommend (model_index.json `_atelier.recommended`). */
  recommended?: { steps?: number; guidance?: number; scheduler?: string; width?: number; height?: number };
  /** Bytes of all weight files: what loading it costs. */
  weightBytes: number;
}

function readJson(path: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ModelFolderError(`${what} is missing: ${path}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new ModelFolderError(`${what} is not valid JSON: ${path}`);
  }
}

function readOptionalJson(path: string, what: string): Record<string, unknown> | undefined {
  return existsSync(path) ? readJson(path, what) : undefined;
}

function readPart(modelDir: string, sub: string, required: true): ModelPart;
function readPart(modelDir: string, sub: string, required: false): ModelPart | undefined;
function readPart(modelDir: string, sub: string, required: boolean): ModelPart | undefined {
  const dir = join(modelDir, sub);
  const file = join(dir, 'model.onnx');
  if (!existsSync(file)) {
    if (!required) return undefined;
    throw new ModelFolderError(`model folder has no ${sub}/model.onnx: ${modelDir}`);
  }
  if (statSync(file).size < 16) throw new ModelFolderError(`${sub}/model.onnx is empty or truncated: ${file}`);
  return { file, config: readOptionalJson(join(dir, 'config.json'), `${sub}/config.json`) ?? {} };
}

function readTokenizer(modelDir: string, sub: string): TokenizerFiles | undefined {
  const dir = join(modelDir, sub);
  const vocabJson = join(dir, 'vocab.json');
  const mergesTxt = join(dir, 'merges.txt');
  if (!existsSync(vocabJson) || !existsSync(mergesTxt)) return undefined;
  return {
    dir,
    vocabJson,
    mergesTxt,
    tokenizerConfig: readOptionalJson(join(dir, 'tokenizer_config.json'), `${sub}/tokenizer_config.json`),
    specialTokensMap: readOptionalJson(join(dir, 'special_tokens_map.json'), `${sub}/special_tokens_map.json`),
  };
}

function familyOf(pipelineClass: string, hasSecondEncoder: boolean, textEncoderConfig: Record<string, unknown>): ModelFamily {
  if (hasSecondEncoder || /XL/i.test(pipelineClass)) return 'sdxl';
  const hidden = textEncoderConfig['hidden_size'];
  if (hidden === 1024) return 'sd2';
  return 'sd1';
}

const DEFAULT_SCALING: Record<ModelFamily, number> = { sd1: 0.18215, sd2: 0.18215, sdxl: 0.13025 };

/** `atelier-source.json` written by `models pull`; unreadable means no extra settings, never a broken model. */
function pulledSettings(modelDir: string): unknown {
  try {
    return JSON.parse(readFileSync(join(modelDir, 'atelier-source.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * `_atelier.recommended` from a model folder is input like any other: each field is kept only if it
 * passes the same rules as the user's own settings (steps 1..200, sizes multiples of 8 within limits,
 * a known scheduler), so a bad value never surfaces later as an error about a flag nobody passed.
 */
const RecommendedSchema = GenerationSettingsSchema.pick({ steps: true, guidance: true, scheduler: true, width: true, height: true });

function validRecommended(raw: unknown): ModelLayout['recommended'] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const out: NonNullable<ModelLayout['recommended']> = {};
  for (const key of ['steps', 'guidance', 'scheduler', 'width', 'height'] as const) {
    const parsed = RecommendedSchema.shape[key].safeParse((raw as Record<string, unknown>)[key]);
    if (parsed.success) (out as Record<string, unknown>)[key] = parsed.data;
  }
  return Object.keys(out).length ? out : undefined;
}

/** A label for pickers and terminals: no control or bidi-override characters, one line, at most 80 characters. */
export function displayLabel(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
}

export function readModelFolder(modelDir: string): ModelLayout {
  if (!existsSync(modelDir) || !statSync(modelDir).isDirectory()) {
    throw new ModelFolderError(`model folder not found: ${modelDir}`);
  }
  const index = readJson(join(modelDir, 'model_index.json'), 'model_index.json');
  const pipelineClass = typeof index['_class_name'] === 'string' ? index['_class_name'] : 'OnnxStableDiffusionPipeline';

  const tokenizer = readTokenizer(modelDir, 'tokenizer');
  if (!tokenizer) throw new ModelFolderError(`model folder has no tokenizer/vocab.json and merges.txt: ${modelDir}`);
  const textEncoder = readPart(modelDir, 'text_encoder', true);
  const textEncoder2 = readPart(modelDir, 'text_encoder_2', false);
  const tokenizer2 = textEncoder2 ? readTokenizer(modelDir, 'tokenizer_2') ?? tokenizer : undefined;
  const unet = readPart(modelDir, 'unet', true);
  const controlUnet = readPart(modelDir, 'controlnet', false);
  const vaeDecoder = readPart(modelDir, 'vae_decoder', true);
  const vaeEncoder = readPart(modelDir, 'vae_encoder', false);
  const schedulerConfig = readOptionalJson(join(modelDir, 'scheduler', 'scheduler_config.json'), 'scheduler/scheduler_config.json') ?? {};

  const family = familyOf(pipelineClass, textEncoder2 !== undefined, textEncoder.config);
  const declaredScaling = vaeDecoder.config['scaling_factor'] ?? vaeEncoder?.config['scaling_factor'];
  const vaeScalingFactor = typeof declaredScaling === 'number' && declaredScaling > 0 ? declaredScaling : DEFAULT_SCALING[family];

  // A pulled model keeps its publisher's files untouched; the catalogue's label and settings sit beside them.
  const extra = index['_atelier'] ?? pulledSettings(modelDir);
  const extraObj = extra && typeof extra === 'object' ? (extra as Record<string, unknown>) : {};
  const label = typeof extraObj['label'] === 'string' ? displayLabel(extraObj['label']) || basename(modelDir) : basename(modelDir);
  let recommended = validRecommended(extraObj['recommended']);
  // `_atelier.size: [w, h]`: the resolution the model was made for (the demo model is 128 px).
  const size = validRecommended(Array.isArray(extraObj['size']) ? { width: extraObj['size'][0], height: extraObj['size'][1] } : undefined);
  if (size?.width && size.height) recommended = { width: size.width, height: size.height, ...recommended };

  // Declared tensor sizes and every external-data file, from the ONNX headers: refused here, at inspect,
  // if they cannot be loaded (sparse or truncated files, more than this machine's memory).
  const parts = [textEncoder, textEncoder2, unet, vaeDecoder, vaeEncoder].filter((p): p is ModelPart => p !== undefined);
  const weightBytes = checkWeightFiles(parts.map((p) => p.file)).fileBytes;

  return {
    dir: modelDir,
    name: basename(modelDir),
    label,
    family,
    pipelineClass,
    tokenizer,
    tokenizer2,
    textEncoder,
    textEncoder2,
    unet,
    ...(controlUnet ? { controlUnet } : {}),
    vaeDecoder,
    vaeEncoder,
    schedulerConfig,
    vaeScalingFactor,
    recommended,
    weightBytes,
  };
}
