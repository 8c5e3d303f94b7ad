import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { runEngineRuntime, type EngineLike } from './engineRuntime.js';
import type { EngineToHost, HostToEngine } from './protocol.js';

/**
 * Entry of the engine worker thread (serve mode, tests). `workerData.engineModule` names the module that
 * exports `Engine` (the lead's class) or `createEngine()`; the real one unless a test swaps it.
 */
interface EngineThreadData {
  engineModule: string;
  provider?: string;
  /** The user's engine settings (engineSettings.ts); wins over `provider` when given. */
  engineOptions?: Record<string, unknown>;
}

const data = workerData as EngineThreadData;
const port = parentPort;
if (!port) throw new Error('engineThread must run inside a worker thread');

const mod = (await import(pathToFileURL(data.engineModule).href)) as {
  Engine?: new (opts?: Record<string, unknown>) => EngineLike;
  createEngine?: (opts?: { provider?: string }) => EngineLike;
};
const engine = mod.createEngine
  ? mod.createEngine({ provider: data.provider })
  : mod.Engine
    ? new mod.Engine(data.engineOptions ?? (data.provider ? { provider: data.provider } : undefined))
    : null;
if (!engine) throw new Error(`${data.engineModule} exports neither Engine nor createEngine`);

runEngineRuntime(engine, {
  post: (m: EngineToHost, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer ?? []),
  onMessage: (listener: (m: HostToEngine) => void) => port.on('message', listener),
});
