import type { ModelInfo } from '../engine/engine.js';
import type { JobMemoryCheck, MemoryCheckJob } from '../engine/memoryCheck.js';
import type { PromptTokenInfo } from '../engine/prompt/promptTokens.js';
import type { GenerateRequest, GenerateResult, StepProgress } from '../engine/types.js';
import type { UpscaleRequest, UpscaleResult } from '../engine/upscale/upscaleJob.js';

/**
 * Messages between a host (serve's main thread, Electron main, the CLI) and the engine process/thread,
 * derived from two tables: the engine's jobs (long, one at a time, progress, cancel by job id) and its
 * calls (request/reply). Adding either is one entry here plus its line in the runtime's table
 * (engineRuntime.ts); both ends are typed from these, so no reply is `unknown`.
 * The same protocol runs over worker_threads (serve, tests), Electron's utilityProcess (app) and in
 * process (CLI). Pixels travel as Uint8Array (transferred or structured-cloned), never base64.
 */
export interface EngineJobs {
  generate: { request: { modelDir: string; request: GenerateRequest }; result: GenerateResult };
  upscale: { request: UpscaleRequest; result: UpscaleResult };
}
export type EngineJobKind = keyof EngineJobs;

export interface EngineCalls {
  /** Token counts; answered at once, between steps of a running job. */
  tokenize: { args: [modelDir: string, text: string]; result: PromptTokenInfo };
  /** Loads the model to describe it; queued behind jobs (EngineHost), so no job's model is released under it. */
  inspect: { args: [modelDir: string]; result: ModelInfo };
  /** The memory check a job would get now (loads nothing); answered at once, like tokenize. */
  estimateMemory: { args: [modelDir: string, job: MemoryCheckJob]; result: JobMemoryCheck };
}
export type EngineCallName = keyof EngineCalls;

/** A job message of one kind (the host queues these). */
export type EngineJobMessage<K extends EngineJobKind = EngineJobKind> = { [J in K]: { type: 'job'; kind: J; jobId: string; request: EngineJobs[J]['request'] } }[K];
export type EngineCallMessage<M extends EngineCallName = EngineCallName> = { [C in M]: { type: 'call'; callId: number; method: C; args: EngineCalls[C]['args'] } }[M];

export type HostToEngine = EngineJobMessage | EngineCallMessage | { type: 'cancel'; jobId: string };

/** A failure as the user reads it: one line and a code ('cancelled', 'invalid-model', …). */
export interface EngineFailure {
  message: string;
  code: string;
}

export type EngineToHost =
  | { type: 'ready' }
  | { type: 'progress'; jobId: string; progress: StepProgress }
  | { [J in EngineJobKind]: { type: 'done'; jobId: string; kind: J; result: EngineJobs[J]['result'] } }[EngineJobKind]
  | ({ type: 'failed'; jobId: string } & EngineFailure)
  | { [C in EngineCallName]: { type: 'reply'; callId: number; method: C; ok: true; value: EngineCalls[C]['result'] } }[EngineCallName]
  | ({ type: 'reply'; callId: number; ok: false } & EngineFailure);

/** Either side's view of the other end: send, receive, and (host side) learn of its death. */
export interface MessagePortLike<In, Out> {
  post(message: Out, transfer?: ArrayBuffer[]): void;
  onMessage(listener: (message: In) => void): void;
}

/** A running engine process/thread as the host sees it. */
export interface EngineProcess extends MessagePortLike<EngineToHost, HostToEngine> {
  /** Called once when the process/thread exits for any reason (code null: killed by a signal; reason: its last error). */
  onExit(listener: (code: number | null, reason?: string) => void): void;
  kill(): void;
}

export type SpawnEngine = () => EngineProcess;

/** The buffers inside a message, so worker_threads can transfer instead of copy. */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 6 || v === null || typeof v !== 'object') return;
    if (v instanceof Uint8Array) {
      if (v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) out.add(v.buffer);
      return;
    }
    for (const child of Object.values(v as Record<string, unknown>)) visit(child, depth + 1);
  };
  visit(value, 0);
  return [...out];
}
