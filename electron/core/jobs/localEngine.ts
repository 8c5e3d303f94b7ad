import { Engine } from '../engine/engine.js';
import { listControlNetFolders } from '../models/controlNetFolder.js';
import { loraLibraryFor } from '../models/loraLibrary.js';
import { libraryRoots } from '../models/modelLibrary.js';
import { openHistoryStore, type HistoryStore } from '../store/historyStore.js';
import { EngineHost } from './engineHost.js';
import { runEngineRuntime, type EngineLike } from './engineRuntime.js';
import { engineOptionsFor } from './engineSettings.js';
import { GenerationService } from './generationService.js';
import type { EngineProcess, EngineToHost, HostToEngine, SpawnEngine } from './protocol.js';

/**
 * The engine on the caller's own thread, behind the same protocol and queue as the worker/utilityProcess
 * engines: for the CLI, which has no UI or HTTP thread to keep responsive. Messages go by reference.
 */
export function inProcessSpawner(create: () => EngineLike & { release?(): Promise<void> }): SpawnEngine {
  return (): EngineProcess => {
    const engine = create();
    const toHost: ((m: EngineToHost) => void)[] = [];
    const toEngine: ((m: HostToEngine) => void)[] = [];
    const exits: ((code: number | null) => void)[] = [];
    let dead = false;
    runEngineRuntime(engine, {
      post: (m) => queueMicrotask(() => !dead && toHost.forEach((l) => l(m))),
      onMessage: (l) => toEngine.push(l),
    });
    return {
      post: (m) => queueMicrotask(() => !dead && toEngine.forEach((l) => l(m))),
      onMessage: (l) => toHost.push(l),
      onExit: (l) => exits.push(l),
      kill: () => {
        if (dead) return;
        dead = true;
        void engine.release?.();
        exits.forEach((l) => l(0));
      },
    };
  };
}

export interface LocalGeneration {
  service: GenerationService;
  engine: EngineHost;
  /** The history store when one is kept. */
  history?: HistoryStore;
  /** Settings and store notices the user should see (a broken settings.json, a recovered database). */
  notices: string[];
  /** Releases the model's sessions and closes the store. */
  close(): Promise<void>;
}

/**
 * The CLI's generation service: the engine built from `<data>/settings.json` (safety checker, prompt
 * filter, provider unless overridden) and the history in `<data>` (or the store given), exactly as the
 * app and serve have them.
 */
export function localGeneration(dataDir: string, opts: { provider?: string; history?: HistoryStore | false } = {}): LocalGeneration {
  const { notices, ...engineOptions } = engineOptionsFor(dataDir, { provider: opts.provider });
  const engines: Engine[] = [];
  const engine = new EngineHost(
    inProcessSpawner(() => {
      // One-shot hosts gain nothing from an idle timer; close() releases the sessions.
      const e = new Engine({ ...engineOptions, idleReleaseMs: 0 });
      engines.push(e);
      return e;
    }),
  );
  // A store the caller opened stays the caller's to close; false keeps no history.
  const owned = opts.history === undefined ? openHistoryStore(dataDir) : undefined;
  const history = owned ?? (opts.history || undefined);
  return {
    service: new GenerationService({
      engine, history, origin: 'cli', loras: loraLibraryFor(dataDir),
      // `history rerun` names ControlNets by id; generate/img2img/inpaint pass their --controlnet folders.
      controlNets: (id) => listControlNetFolders(libraryRoots(dataDir)).find((f) => f.id === id)?.dir,
    }),
    engine,
    history,
    notices: [...notices, ...(owned?.notices ?? [])],
    async close() {
      engine.dispose();
      await Promise.all(engines.map((e) => e.release()));
      owned?.close();
    },
  };
}
