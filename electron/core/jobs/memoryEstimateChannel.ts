import type { ApiParsedRequest, ApiResponses } from '../../contract/api.js';
import { checkJobMemory } from '../engine/memoryCheck.js';
import { UserError } from '../../shared/userError.js';
import { readModelFolder } from '../models/modelFolder.js';
import { JobError } from './engineHost.js';

/** `models:estimate`: the engine's own memory check, run ahead for the label beside Generate and the Models dialog. */
export function estimateJobMemoryFor(modelDir: string, job: Omit<ApiParsedRequest<'models:estimate'>, 'modelId'>, provider: string): ApiResponses['models:estimate'] {
  let layout;
  try {
    layout = readModelFolder(modelDir);
  } catch (e) {
    if (e instanceof UserError) throw new JobError(e.message, e.code);
    throw e;
  }
  const check = checkJobMemory(layout, job, provider === 'cpu' ? 'cpu' : 'auto');
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
