import { Engine, type EngineOptions } from '../core/engine/engine.js';
import { runEngineRuntime } from '../core/jobs/engineRuntime.js';
import type { EngineToHost, HostToEngine } from '../core/jobs/protocol.js';

/**
 * Entry of the engine utilityProcess: ORT sessions live here, so a native crash or an out-of-memory
 * kills this process, not the app. Same message protocol as the serve worker thread.
 */
const port = process.parentPort;
if (!port) throw new Error('engineProcess must be started with utilityProcess.fork');

// Set by utilitySpawner from the user's settings (core/jobs/engineSettings.ts).
let options: EngineOptions = {};
try {
  options = JSON.parse(process.env.ATELIER_ENGINE_OPTIONS ?? '{}') as EngineOptions;
} catch {
  options = {};
}
const provider = process.env.ATELIER_PROVIDER as EngineOptions['provider'];
if (provider) options.provider = provider;
runEngineRuntime(new Engine(options), {
  post: (m: EngineToHost) => port.postMessage(m),
  onMessage: (listener: (m: HostToEngine) => void) => port.on('message', (e: Electron.MessageEvent) => listener(e.data as HostToEngine)),
});
