import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MODEL_FAMILIES, type ModelFamily } from '../../contract/modelFamily.js';
import { SOURCE_FILE } from './downloader.js';
import { ModelFolderError } from './modelFolderError.js';
import { displayLabel } from './modelFolder.js';
import { listModelFolders } from './modelLibrary.js';
import { checkWeightFiles } from './weightFiles.js';

/**
 * A ControlNet model folder as the ONNX ecosystem publishes them (OnnxStack/Amuse): `controlnet/model.onnx`,
 * or `model.onnx` at the root beside a diffusers `config.json` (`_class_name: ControlNetModel`), Amuse's
 * `amuse_template.json` (Category ControlNet) or a catalogue pull's `atelier-source.json`, and no
 * `unet/` (a folder with a UNet is a base model; its own `controlnet/model.onnx` is the UNet that takes
 * the residuals). What the network declares is checked when it loads (controlNetRunner.ts).
 */
export interface ControlNetFolder {
  dir: string;
  name: string;
  label: string;
  file: string;
  /** The diffusers config beside model.onnx, or {}. */
  config: Record<string, unknown>;
  /** From the config: 'sdxl' with a text_time addition embedding, 'sd2' with 1024-wide text, else 'sd1'; undefined without one. */
  family?: ModelFamily;
  weightBytes: number;
}

function readConfig(path: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The ONNX file of a ControlNet folder, or undefined when the folder is not one. */
export function controlNetFile(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory() || existsSync(join(dir, 'unet', 'model.onnx'))) return undefined;
  } catch {
    return undefined;
  }
  const nested = join(dir, 'controlnet', 'model.onnx');
  if (existsSync(nested)) return nested;
  const root = join(dir, 'model.onnx');
  if (!existsSync(root)) return undefined;
  // A diffusers config, a `models pull` of a catalogue ControlNet, or an Amuse template says what the file is.
  const says = readConfig(join(dir, 'config.json'))['_class_name'] === 'ControlNetModel'
    || readConfig(join(dir, SOURCE_FILE))['kind'] === 'controlnet'
    || readConfig(join(dir, 'amuse_template.json'))['Category'] === 'ControlNet';
  return says ? root : undefined;
}

export function readControlNetFolder(dir: string): ControlNetFolder {
  const file = controlNetFile(dir);
  if (!file) {
    throw new ModelFolderError(`not a ControlNet folder (no controlnet/model.onnx, or model.onnx with a ControlNetModel config.json): ${dir}`);
  }
  if (statSync(file).size < 16) throw new ModelFolderError(`the ControlNet's model.onnx is empty or truncated: ${file}`);
  const config = readConfig(join(file, '..', 'config.json'));
  const addition = config['addition_embed_type'];
  const pulled = readConfig(join(dir, SOURCE_FILE));
  const pulledFamily = MODEL_FAMILIES.find((f) => f === pulled['family']);
  const family: ModelFamily | undefined = Object.keys(config).length === 0 ? pulledFamily
    : addition === 'text_time' ? 'sdxl' : config['cross_attention_dim'] === 1024 ? 'sd2' : 'sd1';
  const index = readConfig(join(dir, 'model_index.json'))['_atelier'];
  const labelRaw = index && typeof index === 'object' ? (index as Record<string, unknown>)['label'] : pulled['label'];
  return {
    dir,
    name: basename(dir),
    label: (typeof labelRaw === 'string' && displayLabel(labelRaw)) || basename(dir),
    file,
    config,
    family,
    weightBytes: checkWeightFiles([file]).fileBytes,
  };
}

/** Every ControlNet folder one level below the roots (or a root itself), ids unique as the models' are. */
export function listControlNetFolders(roots: string[]): Array<{ id: string; dir: string }> {
  return listModelFolders(roots, (dir) => controlNetFile(dir) !== undefined);
}
