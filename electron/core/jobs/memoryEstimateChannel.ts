import type { ApiResponses } from '../../contract/api.js';
import type { JobMemoryCheck } from '../engine/memoryCheck.js';

/**
 * `models:estimate`: the engine's own memory check (Engine.estimateMemory, the code every job passes),
 * asked ahead for the label beside Generate and the Models dialog, in the label's fields.
 */
export function estimateResponse(check: JobMemoryCheck): ApiResponses['models:estimate'] {
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
