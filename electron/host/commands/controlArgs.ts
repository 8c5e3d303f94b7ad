import { CONTROL_TYPES, ControlRefSchema, MAX_CONTROLS, type ControlRef, type ControlType } from '../../contract/control.js';
import { encodePng } from '../../core/export/pngMetadata.js';
import { controlMap } from '../../shared/image/control/controlMap.js';
import { readRgba } from '../../core/image/io.js';
import type { RgbaImage } from '../../core/image/types.js';
import { readControlNetFolder } from '../../core/models/controlNetFolder.js';
import { imageIdOf } from '../../core/store/imageStore.js';
import { UserError } from '../../shared/userError.js';
import { numberOption } from './args.js';
import { CliError } from './command.js';

/** ControlNet flags of generate, img2img, inpaint and outpaint (issue 20). */
export const CONTROL_OPTIONS = {
  controlnet: { type: 'string', multiple: true },
  'control-image': { type: 'string', multiple: true },
  'control-type': { type: 'string', multiple: true },
  'control-scale': { type: 'string', multiple: true },
  'control-start': { type: 'string', multiple: true },
  'control-end': { type: 'string', multiple: true },
} as const;

export const CONTROL_USAGE = `  --controlnet DIR   a ControlNet folder (controlnet/model.onnx or model.onnx); repeatable, up to ${MAX_CONTROLS}
  --control-image FILE  its control image, one per --controlnet in the same order (default size of the generation)
  --control-type T   ${CONTROL_TYPES.join(' | ')}: how the image becomes the map (none: it already is one); one for all or one each
  --control-scale X  strength 0–2 (default 1); --control-start F --control-end F: the fraction of the steps it
                     guides (default 0 and 1); each given once for all or once per --controlnet`;

export interface ControlArgs {
  controlnet?: string[];
  'control-image'?: string[];
  'control-type'?: string[];
  'control-scale'?: string[];
  'control-start'?: string[];
  'control-end'?: string[];
}

export interface CliControls {
  /** settings.controls: model = folder name, imageId = the map's PNG id (the store keeps it under that id). */
  refs: ControlRef[];
  /** The service's controlInputs, same order. */
  inputs: Array<{ dir: string; image: { pixels: RgbaImage } }>;
  /** Size of the first map, the generation's default size when nothing else sets it. */
  size?: { width: number; height: number };
}

/** The value for control i of a flag given once (for all) or once per control. */
function perControl(values: string[] | undefined, name: string, count: number): Array<string | undefined> {
  if (!values || values.length === 0) return Array(count).fill(undefined);
  if (values.length === 1) return Array(count).fill(values[0]);
  if (values.length === count) return values;
  throw new CliError(`--${name} is given ${values.length} times for ${count} ControlNets: give it once for all, or once per --controlnet`);
}

/** Reads the ControlNet flags: folders checked, images read and turned into maps by their --control-type. */
export async function readControlArgs(v: ControlArgs): Promise<CliControls> {
  const dirs = v.controlnet ?? [];
  const files = v['control-image'] ?? [];
  if (dirs.length === 0 && files.length === 0) {
    if (v['control-type'] || v['control-scale'] || v['control-start'] || v['control-end']) throw new CliError('--control-type, --control-scale, --control-start and --control-end need a --controlnet');
    return { refs: [], inputs: [] };
  }
  if (dirs.length !== files.length) throw new CliError(`give one --control-image per --controlnet (got ${dirs.length} --controlnet and ${files.length} --control-image)`);
  if (dirs.length > MAX_CONTROLS) throw new CliError(`at most ${MAX_CONTROLS} ControlNets at once (got ${dirs.length})`);
  const types = perControl(v['control-type'], 'control-type', dirs.length);
  const scales = perControl(v['control-scale'], 'control-scale', dirs.length);
  const starts = perControl(v['control-start'], 'control-start', dirs.length);
  const ends = perControl(v['control-end'], 'control-end', dirs.length);
  const out: CliControls = { refs: [], inputs: [] };
  for (const [i, dir] of dirs.entries()) {
    let folder;
    try {
      folder = readControlNetFolder(dir);
    } catch (error) {
      // The folder reader's sentence, prefixed with the flag the user gave (ModelFolderError since models/ has its own).
      if (error instanceof UserError) throw new CliError(`--controlnet ${dir}: ${error.message}`);
      throw error;
    }
    const type = (types[i] ?? 'none') as ControlType;
    if (!CONTROL_TYPES.includes(type)) throw new CliError(`--control-type must be one of ${CONTROL_TYPES.join(', ')} (got "${types[i]}")`);
    const map = controlMap(await readRgba(files[i]!, 'control image'), type);
    const parsed = ControlRefSchema.safeParse({
      model: folder.name, imageId: imageIdOf(await encodePng(map)), type,
      scale: numberOption(scales[i], 'control-scale', 1), start: numberOption(starts[i], 'control-start', 0), end: numberOption(ends[i], 'control-end', 1),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const flag = issue.path[0] === 'scale' ? '--control-scale' : issue.path[0] === 'start' ? '--control-start' : '--control-end';
      throw new CliError(`${issue.path.length ? flag : '--control-start/--control-end'}: ${issue.message}`);
    }
    out.refs.push(parsed.data);
    out.inputs.push({ dir: folder.dir, image: { pixels: map } });
    out.size ??= { width: map.width, height: map.height };
  }
  return out;
}
