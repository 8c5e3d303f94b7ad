import type { GenerateRequest, GenerateResult, StepProgress } from '../engine/types.js';
import type { UpscaleRequest, UpscaleResult } from '../engine/upscale/upscaleJob.js';

/**
 * Messages between a host (serve's main thread, Electron main) and the engine process/thread.
 * The same protocol runs over worker_threads (serve, tests) and Electron's utilityProcess (app).
 * Pixels travel as Uint8Array (transferred or structured-cloned), never base64.
 */
export type HostToEngine =
  | { type: 'generate'; jobId: string; modelDir: string; request: GenerateRequest }
  | { type: 'upscale'; jobId: string; request: UpscaleRequest }
  | { type: 'cancel'; jobId: string }
  | { type: 'call'; callId: number; method: 'tokenize'; modelDir: string; text: string }
  | { type: 'call'; callId: number; method: 'inspect'; modelDir: string };

export type EngineToHost =
  | { type: 'ready' }
  | { type: 'progress'; jobId: string; progress: StepProgress }
  | { type: 'result'; jobId: string; result: GenerateResult }
  | { type: 'upscaled'; jobId: string; result: UpscaleResult }
  | { type: 'failed'; jobId: string; message: string; code: string }
  | { type: 'reply'; callId: number; ok: true; value: unknown }
  | { type: 'reply'; callId: number; ok: false; message: string; code: string };

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
