import type { GenerateOptions, GenerateRequest, GenerateResult, StepProgress } from '../engine/types.js';
import type { UpscaleRequest, UpscaleResult } from '../engine/upscale/upscaleJob.js';
import { describeFailure } from '../../shared/userError.js';
import { transferablesOf, type EngineToHost, type HostToEngine, type MessagePortLike } from './protocol.js';

/** The part of the lead's `Engine` class the runtime drives. */
export interface EngineLike {
  inspect(modelDir: string): Promise<unknown> | unknown;
  tokenize(modelDir: string, text: string): Promise<unknown> | unknown;
  generate(modelDir: string, request: GenerateRequest, options?: GenerateOptions): Promise<GenerateResult>;
  /** Upscale (and refine) jobs; engines without it fail such jobs with one sentence. */
  upscale?(request: UpscaleRequest, options: Pick<GenerateOptions, 'signal'> & { onProgress?: (p: { done: number; total: number }) => void }): Promise<UpscaleResult>;
}

/**
 * The engine side of the protocol: runs inside the worker thread / utilityProcess. One generation at a
 * time (the engine owns one set of sessions); calls such as tokenize may interleave between steps.
 */
export function runEngineRuntime(engine: EngineLike, port: MessagePortLike<HostToEngine, EngineToHost>): void {
  const running = new Map<string, AbortController>();
  const send = (m: EngineToHost): void => port.post(m, transferablesOf(m));

  port.onMessage((m) => {
    if (m.type === 'cancel') {
      running.get(m.jobId)?.abort();
      return;
    }
    if (m.type === 'call') {
      const work = new Promise((resolve) => resolve(m.method === 'tokenize' ? engine.tokenize(m.modelDir, m.text) : engine.inspect(m.modelDir)));
      work.then(
        (value) => send({ type: 'reply', callId: m.callId, ok: true, value }),
        (e: unknown) => send({ type: 'reply', callId: m.callId, ok: false, ...describeError(e) }),
      );
      return;
    }
    const controller = new AbortController();
    running.set(m.jobId, controller);
    const onProgress = (progress: StepProgress): void => send({ type: 'progress', jobId: m.jobId, progress });
    if (m.type === 'upscale') {
      const work = engine.upscale
        ? engine.upscale(m.request, { signal: controller.signal, onProgress: (p) => onProgress({ ...p, batchIndex: 0 }) })
        : Promise.reject(new Error('this engine cannot upscale'));
      work
        .then(
          (result) => send({ type: 'upscaled', jobId: m.jobId, result }),
          (e: unknown) => send({ type: 'failed', jobId: m.jobId, ...describeError(e, controller.signal.aborted) }),
        )
        .finally(() => running.delete(m.jobId));
      return;
    }
    engine
      .generate(m.modelDir, m.request, { onProgress, signal: controller.signal })
      .then(
        (result) => send({ type: 'result', jobId: m.jobId, result }),
        (e: unknown) => send({ type: 'failed', jobId: m.jobId, ...describeError(e, controller.signal.aborted) }),
      )
      .finally(() => running.delete(m.jobId));
  });
  send({ type: 'ready' });
}

function describeError(e: unknown, aborted = false): { message: string; code: string } {
  if (aborted) return { message: 'Generation cancelled.', code: 'cancelled' };
  const failure = describeFailure(e);
  return { message: failure.message || 'The engine failed.', code: failure.code };
}
