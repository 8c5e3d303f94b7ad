import type { ApiParsedRequest, ApiResponses } from '../../contract/api.js';
import { checkJobMemory } from '../engine/memoryCheck.js';
import { UserError } from '../../shared/userError.js';
import { readControlNetFolder } from '../models/controlNetFolder.js';
import { readModelFolder } from '../models/modelFolder.js';
import { JobError } from './engineHost.js';

/**
 * `models:estimate`: the engine's own memory check, run ahead for the label beside Generate and the Models dialog.
 * `controlNetDirs`: the folders of the job's ControlNets (their weights count as the engine counts them).
 */
export function estimateJobMemoryFor(
  modelDir: string,
  job: Omit<ApiParsedRequest<'models:estimate'>, 'modelId' | 'controlNets'>,
  provider: string,
  controlNetDirs: readonly string[] = [],
): ApiResponses['models:estimate'] {
  let layout;
  let controlNetBytes: number[];
  try {
    layout = readModelFolder(modelDir);
    controlNetBytes = controlNetDirs.map((dir) => readControlNetFolder(dir).weightBytes);
  } catch (e) {
    if (e instanceof UserError) throw new JobError(e.message, e.code);
    throw e;
  }
  const check = checkJobMemory(layout, { ...job, controlNetBytes }, provider === 'cpu' ? 'cpu' : 'auto');
  const d = check.decision;
  return {
    neededBytes: d.run && !d.releaseTextEncoders ? d.estimate.peakBytes : d.estimate.leanPeakBytes,
    freeBytes: check.freeBytes,
    fits: d.run,
    device: check.device,
    summary: check.summary,
    ...(d.run ? {} : { sentence: d.sentence }),
  };
}
