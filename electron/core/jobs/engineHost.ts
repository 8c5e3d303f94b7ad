import type { GenerateRequest, GenerateResult, StepProgress } from '../engine/types.js';
import type { UpscaleRequest, UpscaleResult } from '../engine/upscale/upscaleJob.js';
import {
  transferablesOf,
  type EngineCallMessage,
  type EngineCallName,
  type EngineCalls,
  type EngineJobKind,
  type EngineJobMessage,
  type EngineJobs,
  type EngineProcess,
  type EngineToHost,
  type SpawnEngine,
} from './protocol.js';
import { UserError } from '../../shared/userError.js';

/** A job's one failure, written for the user. */
export class JobError extends UserError {
  constructor(message: string, code: string) {
    super(message, code);
  }
}

/** A job with an id, progress and cancel: a generation or an upscale. */
interface Job {
  kind: 'job';
  id: string;
  /** What the engine is sent when the job's turn comes. */
  message: EngineJobMessage;
  onProgress?: (p: StepProgress) => void;
  resolve: (r: EngineJobs[EngineJobKind]['result']) => void;
  reject: (e: JobError) => void;
}

interface PendingCall {
  resolve: (v: EngineCalls[EngineCallName]['result']) => void;
  reject: (e: JobError) => void;
}

/** A call that loads a model (inspect): it waits its turn behind jobs, so no job's model is released under it. */
interface QueuedCall extends PendingCall {
  kind: 'call';
  make: (callId: number) => EngineCallMessage;
  callId?: number;
}

type Work = Job | QueuedCall;

/**
 * Owns the engine process/thread: one FIFO of work (generation jobs and model inspections, one at a
 * time, so an import never unloads the model a running job uses), cancel by id, immediate request/reply
 * calls that load no model (tokenize), and crash recovery: if the engine dies, the running job and
 * pending calls fail with a clear message and a fresh engine is started for what follows.
 */
export class EngineHost {
  private proc: EngineProcess | null = null;
  private readonly queue: Work[] = [];
  private running: Work | null = null;
  private readonly calls = new Map<number, PendingCall>();
  private nextCallId = 1;
  private disposed = false;
  /** How many times the engine was (re)started; tests and the status line read it. */
  starts = 0;

  constructor(private readonly spawn: SpawnEngine) {}

  /** Queues a generation; the promise settles exactly once (result, error, or cancellation). */
  generate(jobId: string, modelDir: string, request: GenerateRequest, onProgress?: (p: StepProgress) => void): Promise<GenerateResult> {
    return this.run('generate', jobId, { modelDir, request }, onProgress);
  }

  /** Queues an upscale (and optional refine) with the generations; same cancel, progress and crash handling. */
  upscale(jobId: string, request: UpscaleRequest, onProgress?: (p: StepProgress) => void): Promise<UpscaleResult> {
    return this.run('upscale', jobId, request, onProgress);
  }

  /** Queues a job of any kind of the protocol's table (protocol.ts). */
  run<K extends EngineJobKind>(kind: K, jobId: string, request: EngineJobs[K]['request'], onProgress?: (p: StepProgress) => void): Promise<EngineJobs[K]['result']> {
    if (this.disposed) return Promise.reject(new JobError('The engine is shut down.', 'runtime'));
    const message = { type: 'job', kind, jobId, request } as EngineJobMessage;
    return new Promise<EngineJobs[K]['result']>((resolve, reject) => {
      this.queue.push({ kind: 'job', id: jobId, message, onProgress, resolve: resolve as Job['resolve'], reject });
      this.pump();
    });
  }

  /** True when the job was known (queued or running); a running job ends with a 'cancelled' error. */
  cancel(jobId: string): boolean {
    const i = this.queue.findIndex((j) => j.kind === 'job' && j.id === jobId);
    if (i >= 0) {
      const [job] = this.queue.splice(i, 1);
      job.reject(new JobError('Generation cancelled.', 'cancelled'));
      return true;
    }
    if (this.running?.kind === 'job' && this.running.id === jobId) {
      this.proc?.post({ type: 'cancel', jobId });
      return true;
    }
    return false;
  }

  /** Token counts, answered at once (no model is loaded or released). */
  tokenize(modelDir: string, text: string): Promise<EngineCalls['tokenize']['result']> {
    return this.call('tokenize', modelDir, text);
  }

  /** The memory check a job would get now, answered at once (nothing is loaded): the label beside Generate. */
  estimateMemory(modelDir: string, job: EngineCalls['estimateMemory']['args'][1]): Promise<EngineCalls['estimateMemory']['result']> {
    return this.call('estimateMemory', modelDir, job);
  }

  /** Loads the model to describe it: queued behind running and waiting jobs (model import, Models dialog). */
  inspect(modelDir: string): Promise<EngineCalls['inspect']['result']> {
    if (this.disposed) return Promise.reject(new JobError('The engine is shut down.', 'runtime'));
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'call', make: (callId) => ({ type: 'call', callId, method: 'inspect', args: [modelDir] }), resolve: resolve as PendingCall['resolve'], reject });
      this.pump();
    });
  }

  /** Stops the engine for good; queued and running jobs fail. */
  dispose(): void {
    this.disposed = true;
    const proc = this.proc;
    this.proc = null;
    this.failAll('The engine was shut down.', 'runtime');
    proc?.kill();
  }

  /** An immediate request/reply call of the protocol's table; its reply is typed by the same table. */
  private call<M extends EngineCallName>(method: M, ...args: EngineCalls[M]['args']): Promise<EngineCalls[M]['result']> {
    if (this.disposed) return Promise.reject(new JobError('The engine is shut down.', 'runtime'));
    const callId = this.nextCallId++;
    return new Promise<EngineCalls[M]['result']>((resolve, reject) => {
      this.calls.set(callId, { resolve: resolve as PendingCall['resolve'], reject });
      this.ensureProcess().post({ type: 'call', callId, method, args } as EngineCallMessage);
    });
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    if (job.kind === 'call') {
      const callId = (job.callId = this.nextCallId++);
      this.ensureProcess().post(job.make(callId));
      return;
    }
    // Copy-free hand-over of the init image and mask (or the image to upscale): the host keeps no use for them.
    this.ensureProcess().post(job.message, transferablesOf(job.message.request));
  }

  private ensureProcess(): EngineProcess {
    if (this.proc) return this.proc;
    const proc = this.spawn();
    this.starts++;
    this.proc = proc;
    proc.onMessage((m) => this.onMessage(m));
    proc.onExit((code, reason) => {
      if (this.proc !== proc) return;
      this.proc = null;
      if (this.disposed) return;
      const how = (code === null ? 'was killed' : `exited with code ${code}`) + (reason ? `: ${reason}` : '');
      this.failAll(`The engine stopped unexpectedly (${how}); this job failed and the engine was restarted. Your document is unchanged.`, 'engine-crashed');
      // Start a fresh engine for whatever is still queued.
      this.pump();
    });
    return proc;
  }

  private failAll(message: string, code: string): void {
    const running = this.running;
    this.running = null;
    running?.reject(new JobError(message, code));
    for (const c of this.calls.values()) c.reject(new JobError(message, code));
    this.calls.clear();
    if (this.disposed) for (const j of this.queue.splice(0)) j.reject(new JobError(message, code));
  }

  private onMessage(m: EngineToHost): void {
    switch (m.type) {
      case 'ready':
        return;
      case 'progress':
        if (this.running?.kind === 'job' && this.running.id === m.jobId) this.running.onProgress?.(m.progress);
        return;
      case 'done':
      case 'failed': {
        const job = this.running;
        if (job?.kind !== 'job' || job.id !== m.jobId) return;
        this.running = null;
        if (m.type === 'done') job.resolve(m.result);
        else job.reject(new JobError(m.message, m.code));
        this.pump();
        return;
      }
      case 'reply': {
        const queued = this.running;
        if (queued?.kind === 'call' && queued.callId === m.callId) {
          this.running = null;
          if (m.ok) queued.resolve(m.value);
          else queued.reject(new JobError(m.message, m.code));
          this.pump();
          return;
        }
        const call = this.calls.get(m.callId);
        if (!call) return;
        this.calls.delete(m.callId);
        if (m.ok) call.resolve(m.value);
        else call.reject(new JobError(m.message, m.code));
        return;
      }
    }
  }
}
