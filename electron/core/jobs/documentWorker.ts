import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { JobError } from './engineHost.js';
import { runDocumentTask, type DocumentProgress, type DocumentTask, type DocumentTaskResult } from './documentWork.js';
import { toUserMessage } from '../../shared/userError.js';

/**
 * Runs document tasks (documentWork.ts) off the calling thread: one worker thread, tasks one at a time in
 * order, progress per task, cancel by AbortSignal. A running task is cancelled by ending its thread (the
 * PSD writer and the compositor are synchronous, so nothing else could stop them); the next task starts a
 * fresh one. Writes are atomic, so a cancelled export leaves the previous file, and its temp file is removed.
 */

export interface DocumentRunOptions {
  onProgress?: DocumentProgress;
  signal?: AbortSignal;
}

/** What the backend needs: the worker below, or `inProcessDocuments` for the CLI and benchmarks' "before". */
export interface DocumentRunner {
  run<T extends DocumentTask>(task: T, options?: DocumentRunOptions): Promise<DocumentTaskResult<T['kind']>>;
  dispose(): void;
}

export type ToDocumentThread = { type: 'run'; id: number; task: DocumentTask };
export type FromDocumentThread =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'failed'; id: number; error: { name: string; message: string; code?: string } };

const WHAT: Record<DocumentTask['kind'], string> = { export: 'export', pack: 'save', unpack: 'opening', import: 'import' };

export function cancelledError(task: DocumentTask): JobError {
  const what = WHAT[task.kind];
  return new JobError(`The ${what} was cancelled.`, 'cancelled');
}

/** The same tasks on the calling thread (the CLI has no event loop to keep free). */
export function inProcessDocuments(dataDir: string): DocumentRunner {
  return {
    async run(task, options = {}) {
      if (options.signal?.aborted) throw cancelledError(task);
      return runDocumentTask(dataDir, task, options.onProgress);
    },
    dispose() {},
  };
}

/** The thread entry next to this file: a tsx boot in serve and tests. Electron main passes its built `documentWorker.js`. */
export const DEFAULT_DOCUMENT_THREAD = join(dirname(fileURLToPath(import.meta.url)), 'documentWorkerBoot.mjs');

interface Pending {
  id: number;
  task: DocumentTask;
  options: DocumentRunOptions;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onAbort?: () => void;
}

export class DocumentWorker implements DocumentRunner {
  private worker: Worker | undefined;
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private nextId = 1;
  private disposed = false;

  constructor(
    private readonly dataDir: string,
    private readonly entry: string = DEFAULT_DOCUMENT_THREAD,
  ) {}

  run<T extends DocumentTask>(task: T, options: DocumentRunOptions = {}): Promise<DocumentTaskResult<T['kind']>> {
    if (this.disposed) return Promise.reject(new JobError('The document worker has stopped.', 'unavailable'));
    if (options.signal?.aborted) return Promise.reject(cancelledError(task));
    return new Promise((resolve, reject) => {
      const p: Pending = { id: this.nextId++, task, options, resolve: resolve as (v: unknown) => void, reject };
      p.onAbort = () => this.cancel(p);
      options.signal?.addEventListener('abort', p.onAbort, { once: true });
      this.queue.push(p);
      this.pump();
    });
  }

  dispose(): void {
    this.disposed = true;
    const stopped = new JobError('The document worker has stopped.', 'unavailable');
    for (const p of this.queue.splice(0)) this.settle(p, stopped);
    if (this.current) this.settle(this.current, stopped);
    this.current = undefined;
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private pump(): void {
    if (this.current || this.disposed) return;
    const next = this.queue.shift();
    if (!next) return;
    this.current = next;
    this.thread().postMessage({ type: 'run', id: next.id, task: next.task } satisfies ToDocumentThread);
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.entry, { workerData: { dataDir: this.dataDir } });
    // An idle worker must not keep serve or a test process alive.
    worker.unref();
    let lastError: string | undefined;
    worker.on('message', (m: FromDocumentThread) => this.onMessage(m));
    worker.on('error', (e) => (lastError = toUserMessage(e)));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return; // ended on purpose (cancel, dispose)
      this.worker = undefined;
      const p = this.current;
      this.current = undefined;
      if (p) this.settle(p, new JobError(`The document worker stopped during the ${WHAT[p.task.kind]} (${lastError ?? `exit code ${code}`}); nothing was changed.`, 'runtime'));
      this.pump();
    });
    this.worker = worker;
    return worker;
  }

  private onMessage(m: FromDocumentThread): void {
    const p = this.current;
    if (!p || p.id !== m.id) return;
    if (m.type === 'progress') {
      p.options.onProgress?.(m.done, m.total);
      return;
    }
    this.current = undefined;
    if (m.type === 'done') this.settle(p, undefined, m.result);
    else this.settle(p, Object.assign(new Error(m.error.message), { name: m.error.name }, m.error.code ? { code: m.error.code } : {}));
    this.pump();
  }

  private cancel(p: Pending): void {
    const queued = this.queue.indexOf(p);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(p, cancelledError(p.task));
      return;
    }
    if (this.current !== p) return;
    const worker = this.worker;
    this.worker = undefined;
    this.current = undefined;
    void worker?.terminate().then(() => removeTemps(p.task));
    this.settle(p, cancelledError(p.task));
    this.pump();
  }

  private settle(p: Pending, error: unknown, value?: unknown): void {
    if (p.onAbort) p.options.signal?.removeEventListener('abort', p.onAbort);
    if (error) p.reject(error);
    else p.resolve(value);
  }
}

/** The temp file an ended write left beside its target (`.NAME.<hex>.tmp`, see files/atomicWrite.ts). */
async function removeTemps(task: DocumentTask): Promise<void> {
  if (task.kind !== 'export' && task.kind !== 'pack') return;
  const folder = dirname(task.path);
  const prefix = `.${basename(task.path)}.`;
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) await rm(join(folder, name), { force: true }).catch(() => undefined);
  }
}
