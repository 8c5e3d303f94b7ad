import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../models/defaultModel.js';
import { openHistoryStore, type HistoryStore } from '../store/historyStore.js';
import { EngineHost } from './engineHost.js';
import { StoreHistory } from './historyRecorder.js';
import { ModelCatalogue } from './modelCatalogue.js';
import type { SpawnEngine } from './protocol.js';
import { StudioBackend, type Emit } from './studioBackend.js';

export interface StudioOptions {
  dataDir: string;
  /** Model folders or folders of them; empty = the defaults below. */
  modelRoots: string[];
  spawn: SpawnEngine;
  emit: Emit;
  previewUrl: (jobId: string, step: number) => string;
  origin: 'app' | 'serve';
  /** Packaged app: where electron-builder put native-models/. */
  resourcesPath?: string;
}

export interface Studio {
  backend: StudioBackend;
  engine: EngineHost;
  history: HistoryStore;
  close(): void;
}

/** Model roots when none are given: ATELIER_MODELS_DIR, <data>/models, then the shipped demo and test models. */
export function defaultModelRoots(dataDir: string, resourcesPath?: string): string[] {
  const base = resourcesPath ?? projectRoot();
  return [process.env.ATELIER_MODELS_DIR, join(dataDir, 'models'), join(base, 'native-models', 'demo'), join(base, 'native-models', 'test-models')]
    .filter((d): d is string => !!d && existsSync(d));
}

/** Wires the core once for a host (Electron main or serve): history, images, engine, backend. */
export function createStudio(opts: StudioOptions): Studio {
  const history = openHistoryStore(opts.dataDir);
  const engine = new EngineHost(opts.spawn);
  const roots = opts.modelRoots.length ? opts.modelRoots : defaultModelRoots(opts.dataDir, opts.resourcesPath);
  const backend = new StudioBackend({
    dataDir: opts.dataDir,
    images: history.images,
    models: new ModelCatalogue(roots),
    engine,
    history: new StoreHistory(history, opts.origin),
    emit: opts.emit,
    previewUrl: opts.previewUrl,
  });
  return {
    backend,
    engine,
    history,
    close() {
      engine.dispose();
      history.close();
    },
  };
}
