import type * as ort from 'onnxruntime-node';

/**
 * onnxruntime session options that decide how much memory a model takes beyond its weights.
 * The defaults are what `npm run bench -- memory` measured best on the stand-ins (README, issue 14):
 * the CPU arena keeps every activation size it ever saw, memory patterns pre-allocate one block per
 * input shape, and both grow with image size.
 */
export interface SessionTuning {
  cpuArena: boolean;
  memPattern: boolean;
  /** Pre-packed weight copies for the CPU's GEMM kernels (faster, but a second copy of MatMul weights). */
  prepacking: boolean;
}

export const DEFAULT_SESSION_TUNING: Readonly<SessionTuning> = Object.freeze({ cpuArena: false, memPattern: false, prepacking: true });

export function tuningSessionOptions(t: SessionTuning): ort.InferenceSession.SessionOptions {
  return {
    enableCpuMemArena: t.cpuArena,
    enableMemPattern: t.memPattern,
    extra: { session: { ...(t.prepacking ? {} : { disable_prepacking: '1' }) } },
  };
}
