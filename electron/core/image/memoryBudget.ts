import { UserError } from '../../shared/userError.js';
/**
 * Atelier's memory budget for one document operation: opening a file, compositing, writing an export.
 * What the operation holds at once is estimated from sizes alone, before anything is decoded; an
 * operation over the budget is refused with one sentence instead of driving the machine into swap.
 * Estimates per operation: decoding here (readRgba), exports in export/exportBudget.ts.
 */

export const MEMORY_BUDGET_BYTES = 2 * 2 ** 30;

export class MemoryBudgetError extends UserError {
  declare readonly code: 'too-large';
  constructor(message: string) {
    super(message, 'too-large');
  }
}

export const rgbaBytes = (w: number, h: number): number => w * h * 4;

/** Estimated peak bytes of decoding an image of this size to RGBA and encoding it again as a PNG layer. */
export function openImagePeakBytes(width: number, height: number): number {
  return 2 * rgbaBytes(width, height);
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** Throws MemoryBudgetError with one sentence when `bytes` is over the budget. */
export function checkMemoryBudget(bytes: number, what: string, advice: string): void {
  if (bytes <= MEMORY_BUDGET_BYTES) return;
  throw new MemoryBudgetError(`${what} would need about ${gib(bytes)} of memory, more than the ${gib(MEMORY_BUDGET_BYTES)} Atelier allows for one operation; ${advice}`);
}
