import type { GenerateOptions, GenerateRequest, GenerateResult, StepProgress } from '../engine/types.js';
import type { UpscaleRequest, UpscaleResult } from '../engine/upscale/upscaleJob.js';
import {
  transferablesOf,
  type EngineCallName,
  type EngineCalls,
  type EngineFailure,
  type EngineJobKind,
  type EngineJobs,
  type EngineToHost,
  type HostToEngine,
  type MessagePortLike,
} from './protocol.js';
import { describeFailure } from '../../shared/userError.js';

/** The part of the lead's `Engine` class the runtime drives. */
export interface EngineLike {
  inspect(modelDir: string): Promise<EngineCalls['inspect']['result']> | EngineCalls['inspect']['result'];
  tokenize(modelDir: string, text: string): Promise<EngineCalls['tokenize']['result']> | EngineCalls['tokenize']['result'];
  generate(modelDir: string, request: GenerateRequest, options?: GenerateOptions): Promise<GenerateResult>;
  /** The memory check a job would get (the label beside Generate); engines without it answer with one sentence. */
  estimateMemory?(modelDir: string, job: EngineCalls['estimateMemory']['args'][1]): EngineCalls['estimateMemory']['result'];
  /** Upscale (and refine) jobs; engines without it fail such jobs with one sentence. */
  upscale?(request: UpscaleRequest, options: Pick<GenerateOptions, 'signal'> & { onProgress?: (p: { done: number; total: number }) => void }): Promise<UpscaleResult>;
}

interface JobOptions {
  signal: AbortSignal;
  onProgress: (p: StepProgress) => void;
}

/** How each job kind of the protocol's table runs on the engine. */
const JOBS: { [K in EngineJobKind]: (engine: EngineLike, request: EngineJobs[K]['request'], o: JobOptions) => Promise<EngineJobs[K]['result']> } = {
  generate: (engine, { modelDir, request }, o) => engine.generate(modelDir, request, o),
  upscale: (engine, request, o) =>
    engine.upscale
      ? engine.upscale(request, { signal: o.signal, onProgress: (p) => o.onProgress({ ...p, batchIndex: 0 }) })
      : Promise.reject(new Error('this engine cannot upscale')),
};

/** How each call of the protocol's table is answered. */
const CALLS: { [M in EngineCallName]: (engine: EngineLike, ...args: EngineCalls[M]['args']) => Promise<EngineCalls[M]['result']> | EngineCalls[M]['result'] } = {
  tokenize: (engine, modelDir, text) => engine.tokenize(modelDir, text),
  inspect: (engine, modelDir) => engine.inspect(modelDir),
  estimateMemory: (engine, modelDir, job) => {
    if (!engine.estimateMemory) throw new Error('this engine cannot estimate memory');
    return engine.estimateMemory(modelDir, job);
  },
};

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
      const answer = CALLS[m.method] as (engine: EngineLike, ...args: unknown[]) => unknown;
      new Promise((resolve) => resolve(answer(engine, ...m.args))).then(
        (value) => send({ type: 'reply', callId: m.callId, method: m.method, ok: true, value } as EngineToHost),
        (e: unknown) => send({ type: 'reply', callId: m.callId, ok: false, ...describeError(e) }),
      );
      return;
    }
    const { jobId, kind } = m;
    const controller = new AbortController();
    running.set(jobId, controller);
    const run = JOBS[kind] as (engine: EngineLike, request: unknown, o: JobOptions) => Promise<unknown>;
    run(engine, m.request, { signal: controller.signal, onProgress: (progress) => send({ type: 'progress', jobId, progress }) })
      .then(
        (result) => send({ type: 'done', jobId, kind, result } as EngineToHost),
        (e: unknown) => send({ type: 'failed', jobId, ...describeError(e, controller.signal.aborted) }),
      )
      .finally(() => running.delete(jobId));
  });
  send({ type: 'ready' });
}

function describeError(e: unknown, aborted = false): EngineFailure {
  if (aborted) return { message: 'Generation cancelled.', code: 'cancelled' };
  const failure = describeFailure(e);
  return { message: failure.message || 'The engine failed.', code: failure.code };
}
