import { libraryRoots, previewDecoders } from '../models/modelLibrary.js';
import { openHistoryStore, type HistoryStore } from '../store/historyStore.js';
import { EngineHost } from './engineHost.js';
import { DocumentWorker } from './documentWorker.js';
import { ProtectedImages } from './historyChannels.js';
import { GenerationService } from './generationService.js';
import { loraLibraryFor } from '../models/loraLibrary.js';
import { InstalledModels } from './installedModels.js';
import { ModelChannels } from './modelChannels.js';
import type { HostCapabilities } from './hostCapabilities.js';
import type { SpawnEngine } from './protocol.js';
import { StudioBackend, type Emit } from './studioBackend.js';
import { InstalledUpscalers } from './installedUpscalers.js';

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
  /** The document worker's thread entry (Electron main: its built `documentWorker.js`; default: the tsx boot). */
  documentThread?: string;
  /** Native dialogs (Electron main only). */
  host?: HostCapabilities;
  /** Notices the host found before the studio existed (unreadable settings.json): shown in the app with the history's. */
  notices?: readonly string[];
}

export interface Studio {
  backend: StudioBackend;
  engine: EngineHost;
  history: HistoryStore;
  close(): void;
}

/**
 * Model roots when none are given: ATELIER_MODELS_DIR, <data>/models, the shipped demo and test models,
 * then folders imported with `models import` (the model library's registry).
 */
export function defaultModelRoots(dataDir: string, resourcesPath?: string): string[] {
  return libraryRoots(dataDir, resourcesPath);
}

/** Wires the core once for a host (Electron main or serve): history, images, engine, backend. */
export function createStudio(opts: StudioOptions): Studio {
  const protectedImages = new ProtectedImages();
  const history = openHistoryStore(opts.dataDir, { isImageInUse: protectedImages.has });
  const engine = new EngineHost(opts.spawn);
  const roots = opts.modelRoots.length ? opts.modelRoots : defaultModelRoots(opts.dataDir, opts.resourcesPath);
  const models = new InstalledModels(roots, { dataDir: opts.dataDir, resourcesPath: opts.resourcesPath });
  const modelChannels = new ModelChannels({ dataDir: opts.dataDir, models, emit: opts.emit, check: (dir) => engine.inspect(dir), resourcesPath: opts.resourcesPath });
  const backend = new StudioBackend({
    dataDir: opts.dataDir,
    images: history.images,
    models,
    engine,
    generation: new GenerationService({
      engine, history, origin: opts.origin, loras: loraLibraryFor(opts.dataDir), controlNets: (id) => models.controlNetDirOf(id),
      previewDecoders: () => previewDecoders(opts.dataDir),
    }),
    emit: opts.emit,
    previewUrl: opts.previewUrl,
    historyStore: history,
    protectedImages,
    modelChannels,
    upscalers: new InstalledUpscalers(roots),
    documentRunner: () => new DocumentWorker(opts.dataDir, opts.documentThread),
    host: opts.host,
  });
  // Damage moved aside, a rebuilt index, jobs interrupted last time: the app shows them (both hosts).
  for (const n of [...(opts.notices ?? []), ...history.notices]) backend.notices.add(n);
  return {
    backend,
    engine,
    history,
    close() {
      backend.dispose();
      engine.dispose();
      history.close();
    },
  };
}
