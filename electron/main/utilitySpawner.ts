import { utilityProcess } from 'electron';
import type { EngineOptions } from '../core/engine/engine.js';
import type { EngineProcess, EngineToHost, HostToEngine, SpawnEngine } from '../core/jobs/protocol.js';

/** Spawns the engine as an Electron utilityProcess (its own OS process), speaking the jobs protocol. */
export function utilitySpawner(entry: string, engineOptions: EngineOptions = {}): SpawnEngine {
  return (): EngineProcess => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'Atelier engine',
      stdio: 'pipe',
      // The user's engine settings travel as JSON in the environment: the child reads them at start.
      env: { ...process.env, ATELIER_ENGINE_OPTIONS: JSON.stringify(engineOptions) },
    });
    let lastError: string | undefined;
    child.stderr?.on('data', (d: Buffer) => {
      const line = d.toString().trim().split('\n').pop();
      if (line) lastError = line.slice(0, 300);
    });
    return {
      // Structured clone copies the pixel buffers; a 1024² result is 4 MiB, well below a frame's worth of time.
      post: (m: HostToEngine) => child.postMessage(m),
      onMessage: (l: (m: EngineToHost) => void) => child.on('message', (m: unknown) => l(m as EngineToHost)),
      onExit: (l) => child.once('exit', (code: number) => l(code, lastError)),
      kill: () => void child.kill(),
    };
  };
}
