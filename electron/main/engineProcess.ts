import { Engine } from '../core/engine/engine.js';
import { runEngineRuntime } from '../core/jobs/engineRuntime.js';
import type { EngineToHost, HostToEngine } from '../core/jobs/protocol.js';

/**
 * Entry of the engine utilityProcess: ORT sessions live here, so a native crash or an out-of-memory
 * kills this process, not the app. Same message protocol as the serve worker thread.
 */
const port = process.parentPort;
if (!port) throw new Error('engineProcess must be started with utilityProcess.fork');

type Provider = NonNullable<ConstructorParameters<typeof Engine>[0]>['provider'];
const provider = process.env.ATELIER_PROVIDER as Provider;
runEngineRuntime(new Engine(provider ? { provider } : {}), {
  post: (m: EngineToHost) => port.postMessage(m),
  onMessage: (listener: (m: HostToEngine) => void) => port.on('message', (e: Electron.MessageEvent) => listener(e.data as HostToEngine)),
});
