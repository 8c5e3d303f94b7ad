import { Worker } from 'node:worker_threads';
import type { EngineOptions } from '../engine/engine.js';
import type { EngineProcess, EngineToHost, HostToEngine, SpawnEngine } from './protocol.js';
import { toUserMessage } from '../../shared/userError.js';

/** Spawns the engine in a worker thread (serve mode and tests); Electron uses utilityProcess instead. */
export function threadSpawner(opts: { engineModule: string; provider?: string; engineOptions?: EngineOptions }): SpawnEngine {
  return (): EngineProcess => {
    const worker = new Worker(new URL('./engineThreadBoot.mjs', import.meta.url), {
      workerData: { engineModule: opts.engineModule, provider: opts.provider, engineOptions: opts.engineOptions },
      // ORT allocates large native buffers; the JS heap stays small.
      stdout: false,
      stderr: false,
    });
    let exited = false;
    let lastError: string | undefined;
    const exitListeners: ((code: number | null, reason?: string) => void)[] = [];
    const fireExit = (code: number | null): void => {
      if (exited) return;
      exited = true;
      for (const l of exitListeners) l(code, lastError);
    };
    worker.on('exit', (code) => fireExit(code));
    // An uncaught error (a missing module, a native abort surfaced as JS) ends the thread; 'exit' follows.
    worker.on('error', (e) => {
      lastError = toUserMessage(e);
    });
    return {
      post: (m: HostToEngine, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer ?? []),
      onMessage: (l: (m: EngineToHost) => void) => worker.on('message', l),
      onExit: (l) => exitListeners.push(l),
      kill: () => void worker.terminate(),
    };
  };
}
