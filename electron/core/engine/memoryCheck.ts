import { modelMemoryFacts } from '../models/memoryFacts.js';
import type { ModelLayout } from '../models/modelFolder.js';
import { freeGpuMemoryBytes, freeMemoryBytes } from './freeMemory.js';
import type { LoraRequest } from './lora/loraMerger.js';
import { decideMemory, describeEstimate, type JobShape, type MemoryDecision, type MemoryDevice } from './memoryEstimate.js';

export interface JobMemoryCheck {
  decision: MemoryDecision;
  device: MemoryDevice;
  freeBytes: number;
  /** True when the free figure came from ATELIER_FREE_MEMORY (a test or a user's own cap). */
  faked: boolean;
  /** "≈5.1 GB of 20.3 GB free" */
  summary: string;
}

/** What the memory check needs of a job: its shape, plus the ControlNet folders and LoRA files it brings. */
export interface MemoryCheckJob extends Omit<JobShape, 'controlNetBytes' | 'loraMergeBytes'> {
  controlNetDirs: readonly string[];
  loras: readonly LoraRequest[];
}

/**
 * The one memory check every job passes (the engine runs it before loading; the app and the Models
 * dialog show its summary). `heldBytes`: memory this process already holds for the model being
 * replaced or reused, which the job gets back.
 */
export function checkJobMemory(layout: ModelLayout, job: JobShape, provider: string, heldBytes = 0): JobMemoryCheck {
  const facts = modelMemoryFacts(layout);
  const gpuFree = provider !== 'cpu' ? freeGpuMemoryBytes() : undefined;
  const device: MemoryDevice = gpuFree !== undefined ? 'gpu' : 'cpu';
  const ram = freeMemoryBytes();
  const freeBytes = device === 'gpu' ? gpuFree! : ram.faked ? ram.bytes : ram.bytes + heldBytes;
  const decision = decideMemory(facts, job, freeBytes, device);
  return { decision, device, freeBytes, faked: ram.faked, summary: describeEstimate(decision, freeBytes) };
}
