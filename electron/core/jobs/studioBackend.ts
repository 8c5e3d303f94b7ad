import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import type { AtelierDocument } from '../../contract/document.js';
import type { ApiEmit, ApiHandlers, ApiParsedRequest, GeneratedImageRef } from '../../contract/api.js';
import type { GenerationSettings } from '../../contract/generation.js';
import type { PhaseTimings } from '../engine/types.js';
import type { ImageStore } from '../store/imageStore.js';
import { DocumentLibrary } from './documentLibrary.js';
import { NoticeBoard } from './noticeBoard.js';
import { inProcessDocuments, type DocumentRunner, type DocumentRunOptions } from './documentWorker.js';
import type { DocumentProgress } from './documentWork.js';
import { loraLibraryFor, LoraLibraryError, type LoraLibrary } from '../models/loraLibrary.js';
import type { LoraRequest } from '../engine/lora/loraMerger.js';
import type { LoraRef } from '../../contract/lora.js';
import { EngineHost, JobError } from './engineHost.js';
import { encodeSmallPng, toPng } from '../image/io.js';
import { describeFailure } from '../../shared/userError.js';
import type { GenerationService } from './generationService.js';
import type { InstalledModels } from './installedModels.js';
import { HistoryChannels, ProtectedImages } from './historyChannels.js';
import type { ModelChannels } from './modelChannels.js';
import type { HistoryStore } from '../store/historyStore.js';
import { PromptTokens } from './promptTokens.js';
import { UserStyles } from '../store/userStyles.js';
import { UpscaleChannels } from './upscaleChannels.js';
import { InstalledUpscalers } from './installedUpscalers.js';
import { estimateResponse } from './memoryEstimateChannel.js';
import type { HostCapabilities } from './hostCapabilities.js';

/** The contract's handler table (contract/api.ts), implemented below. */
export type Handlers = ApiHandlers;
export type Emit = ApiEmit;

export interface StudioBackendOptions {
  dataDir: string;
  images: ImageStore;
  models: InstalledModels;
  engine: EngineHost;
  /** The one generation service: history entry, engine queue, stored images (generationService.ts). */
  generation: GenerationService;
  emit: Emit;
  /** The URL a client uses to fetch a job's latest preview (HTTP in serve, custom protocol in Electron). */
  previewUrl: (jobId: string, step: number) => string;
  origin?: 'app' | 'serve';
  /** The History panel's store (favourite, delete, re-run, import); opened with `protectedImages.has` as isImageInUse. */
  historyStore?: HistoryStore;
  protectedImages?: ProtectedImages;
  /** The Models dialog's channels (library, pulls, import, provider). */
  modelChannels?: ModelChannels;
  /** Super-resolution models for Upscale… (none: the dialog lists nothing). */
  upscalers?: InstalledUpscalers;
  /**
   * Where document work runs (documentWorker.ts): one runner for the document library (save, autosave,
   * open, in order) and one for export/import, so a long export never holds up an autosave. Default: in place.
   */
  documentRunner?: (lane: 'library' | 'files') => DocumentRunner;
  /** Native dialogs of a desktop host (Electron main); absent in serve, the CLI and tests. */
  host?: HostCapabilities;
}

/**
 * The app core behind the API, shared by Electron main and `serve`: models, images, generation jobs
 * (engine off-thread, results stored as PNG, one history entry per job), documents.
 */
export class StudioBackend {
  readonly images: ImageStore;
  readonly documents: DocumentLibrary;
  /** What the user must see once (damaged history moved aside, unreadable settings…), until dismissed. */
  readonly notices: NoticeBoard;
  private readonly previews = new Map<string, Buffer>();
  /** Live drafts: results kept in memory (newest last) until Apply keeps one; never in History unless kept. */
  private readonly drafts = new LiveDrafts();
  private readonly tokens = new PromptTokens();
  private readonly styles: UserStyles;
  private readonly libraryWork: DocumentRunner;
  private readonly fileWork: DocumentRunner;

  constructor(private readonly opts: StudioBackendOptions) {
    this.images = opts.images;
    this.notices = new NoticeBoard((notice) => opts.emit('notices:added', notice));
    const runner = opts.documentRunner ?? (() => inProcessDocuments(opts.dataDir));
    this.libraryWork = runner('library');
    this.fileWork = runner('files');
    this.documents = new DocumentLibrary(opts.dataDir, this.libraryWork);
    this.styles = new UserStyles(opts.dataDir);
    this.loras = loraLibraryFor(opts.dataDir);
  }

  /** Latest step preview of a running job (small PNG), for the preview URL handler. */
  preview(jobId: string): Buffer | undefined {
    return this.previews.get(jobId) ?? this.drafts.get(jobId)?.png;
  }

  private readonly loras: LoraLibrary;
  readonly handlers: Handlers = {
    'models:list': async () => ({ models: this.opts.models.list(), defaultModelId: this.opts.models.first(), controlNets: this.opts.models.listControlNets() }),
    'prompt:tokenize': async ({ modelId, text }) => this.tokens.count(this.modelDir(modelId), text),
    'models:estimate': async ({ modelId, controlNets, loras, ...job }) => {
      const controlNetDirs = controlNets.map((id) => this.controlNetDir(id));
      return estimateResponse(await this.opts.engine.estimateMemory(this.modelDir(modelId), { ...job, controlNetDirs, loras: this.loraFiles(loras) }));
    },
    'images:put': async ({ bytes }) => {
      const { png, width, height } = await toPng(bytes);
      return { imageId: await this.images.put(png), width, height };
    },
    'generation:start': async (req) => this.start(req),
    'generation:cancel': async ({ jobId }) => ({ cancelled: this.opts.generation.cancel(jobId) }),
    'upscale:list': async () => this.upscaleChannels().list(),
    'upscale:start': async (req) => this.upscaleChannels().start(req),
    'generation:keepDraft': async ({ jobId, documentId }) => this.keepDraft(jobId, documentId),
    'history:list': async (req) => this.historyChannels().list(req),
    'history:models': async () => this.historyChannels().models(),
    'history:favourite': async (req) => this.historyChannels().favourite(req),
    'history:delete': async (req) => this.historyChannels().delete(req),
    'history:rerun': async (req) => this.historyChannels().rerun(req),
    'history:import': async (req) => this.historyChannels().import(req),
    'models:library': async () => this.modelChannels().library(),
    'models:pull': async (req) => this.modelChannels().pull(req),
    'models:pause': async (req) => this.modelChannels().pause(req),
    'models:discard': async (req) => this.modelChannels().discard(req),
    'models:import': async ({ dir }) => {
      // A host with a folder picker asks (a typed path from the renderer is not trusted there).
      const { pickFolder } = this.opts.host ?? {};
      const folder = pickFolder ? await pickFolder('Import a model folder') : dir;
      if (pickFolder && !folder) return { id: '', alreadyListed: false };
      if (!folder) throw new JobError('Type the path of the model folder to import.', 'invalid-input');
      return this.modelChannels().import(folder);
    },
    'documents:list': async () => ({ documents: await this.documents.list() }),
    'documents:save': async ({ name, document }) => {
      await this.documents.save(name, document);
      return { name };
    },
    'documents:open': async ({ name }) => ({ document: await this.documents.open(name) }),
    'documents:autosave': async ({ document }) => {
      await this.documents.autosave(document);
      return { savedAt: Date.now() };
    },
    'documents:recover': async ({ discard }) => ({ document: await this.documents.recover(discard) }),
    'documents:import': async ({ fileName, bytes, jobId }, context) => this.importFile(fileName, bytes, { signal: context?.signal, onProgress: this.progressEvents('import:progress', jobId) }),
    'styles:list': async () => this.styles.list(),
    'styles:save': async ({ style }) => ({ style: await this.styles.save(style) }),
    'styles:delete': async ({ name }) => ({ deleted: await this.styles.delete(name) }),
    'loras:list': async () => ({ loras: this.loras.list() }),
    'loras:import': async ({ fileName, bytes }) => {
      try {
        return { lora: this.loras.importBytes(fileName, bytes) };
      } catch (error) {
        if (error instanceof LoraLibraryError) throw new JobError(error.message, 'invalid-input');
        throw error;
      }
    },
    'notices:list': async () => ({ notices: this.notices.list() }),
    'notices:dismiss': async ({ id }) => ({ dismissed: this.notices.dismiss(id) }),
    'export:document': async ({ name, format, document, frameOnly, jobId }, context) => {
      // Cancelling the request (api.withSignal) ends the export in the document worker.
      const run = { signal: context?.signal, onProgress: this.progressEvents('export:progress', jobId) };
      const { chooseExportPath } = this.opts.host ?? {};
      if (chooseExportPath) {
        // The desktop app asks where to put the file (the renderer never names a path).
        const target = await chooseExportPath(name, format);
        if (!target) return { path: '', bytes: 0 };
        const path = extname(target) ? target : `${target}.${format}`;
        return { path, bytes: await this.exportTo(path, document, frameOnly, run) };
      }
      const file = `${name}.${format}`;
      const path = join(this.opts.dataDir, 'exports', file);
      await mkdir(dirname(path), { recursive: true });
      const bytes = await this.exportTo(path, document, frameOnly, run);
      return { path, bytes, downloadUrl: `/exports/${encodeURIComponent(file)}` };
    },
  };

  /** Writes the document in the format `path`'s extension names (layered PSD/ORA, flat PNG/JPEG/WebP, .atelier). */
  /** A document task's steps as the request's `export:progress` / `import:progress` events (none without a jobId). */
  progressEvents(event: 'export:progress' | 'import:progress', jobId: string | undefined): DocumentProgress | undefined {
    return jobId ? (done, total) => this.opts.emit(event, { jobId, done, total }) : undefined;
  }

  async exportTo(path: string, document: AtelierDocument, frameOnly: boolean, options: DocumentRunOptions = {}): Promise<number> {
    return (await this.fileWork.run({ kind: 'export', path, document, frameOnly }, options)).bytes;
  }

  /** Opens picked file bytes through the core readers (by extension); their images go into the image store. */
  async importFile(fileName: string, bytes: Uint8Array, options: DocumentRunOptions = {}): Promise<{ document: AtelierDocument; warnings: string[] }> {
    const tmp = await this.importTempPath(fileName);
    await writeFile(tmp, bytes);
    return this.importFromTemp(fileName, tmp, options);
  }

  /**
   * Where a picked file waits while the readers open it; serve streams an upload straight here so the
   * body never sits in memory. The name keeps only its extension, so nothing from the client reaches the path.
   */
  async importTempPath(fileName: string): Promise<string> {
    const dir = join(this.opts.dataDir, 'imports');
    await mkdir(dir, { recursive: true });
    return join(dir, `import-${randomBytes(8).toString('hex')}${extname(fileName).toLowerCase()}`);
  }

  /** Opens a file written at `importTempPath(fileName)`, then deletes it whatever happens. */
  async importFromTemp(fileName: string, tmp: string, options: DocumentRunOptions = {}): Promise<{ document: AtelierDocument; warnings: string[] }> {
    try {
      return await this.fileWork.run({ kind: 'import', path: tmp, name: fileName }, options);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Ends the document workers (on quit). */
  dispose(): void {
    this.libraryWork.dispose();
    this.fileWork.dispose();
  }

  /** A file Export wrote for serve mode's download link; only plain names inside the exports folder. */
  exportedFile(file: string): string | undefined {
    if (!/^[^/\\]+\.(png|jpg|webp|psd|ora|atelier)$/.test(file) || file.startsWith('.')) return undefined;
    const path = join(this.opts.dataDir, 'exports', file);
    return existsSync(path) ? path : undefined;
  }

  private historyChannels(): HistoryChannels {
    const { historyStore, protectedImages } = this.opts;
    if (!historyStore) throw new JobError('The history is not available in this host.', 'unavailable');
    return new HistoryChannels(historyStore, protectedImages ?? new ProtectedImages(), (req) => this.start(req), (name) => (this.opts.models.dirOf(name) ? name : undefined));
  }

  private upscaleChannels(): UpscaleChannels {
    return new UpscaleChannels({
      upscalers: this.opts.upscalers ?? new InstalledUpscalers([]), engine: this.opts.engine, images: this.images, emit: this.opts.emit,
      modelDir: (id) => this.modelDir(id),
    });
  }

  private modelChannels(): ModelChannels {
    if (!this.opts.modelChannels) throw new JobError('The model library is not available in this host.', 'unavailable');
    return this.opts.modelChannels;
  }

  private controlNetDir(id: string): string {
    const dir = this.opts.models.controlNetDirOf(id);
    if (!dir) throw new JobError(`There is no ControlNet named "${id}".`, 'invalid-input');
    return dir;
  }

  /** The library files of the LoRAs a job names (one sentence for one that is not there). */
  private loraFiles(refs: readonly LoraRef[]): LoraRequest[] {
    try {
      return this.loras.requestsFor(refs);
    } catch (e) {
      if (e instanceof LoraLibraryError) throw new JobError(e.message, 'invalid-input');
      throw e;
    }
  }

  private modelDir(modelId: string): string {
    const dir = this.opts.models.dirOf(modelId);
    if (!dir) throw new JobError(`There is no model named "${modelId}".`, 'invalid-input');
    return dir;
  }

  /** The one generation service (generationService.ts); here only the events, previews and live drafts are added. */
  private async start(req: ApiParsedRequest<'generation:start'> & { parentId?: string }): Promise<{ jobId: string }> {
    const model = { name: req.modelId, dir: this.modelDir(req.modelId) };
    const draft = req.live === 'draft';
    let previewBusy = false;
    const { emit } = this.opts;
    const started = await this.opts.generation.start(
      {
        settings: req.settings, model, documentId: req.documentId, parentId: req.parentId,
        initImage: req.initImageId ? { imageId: req.initImageId } : undefined,
        mask: req.maskImageId ? { imageId: req.maskImageId } : undefined,
        // A live draft is the preview: no step previews on its way, nothing recorded unless Apply keeps it.
        previewEvery: draft ? 0 : 1,
        ...(draft ? { record: false } : {}),
        ...(req.live === 'finish' ? { origin: 'live' as const } : {}),
      },
      (p, jobId) => {
        // Encode at most one preview at a time; a step that lands meanwhile just reports progress.
        if (draft || !p.preview || previewBusy) {
          emit('generation:progress', { jobId, done: p.done, total: p.total });
          return;
        }
        previewBusy = true;
        encodeSmallPng(p.preview)
          .then((png) => {
            this.previews.set(jobId, png);
            emit('generation:progress', { jobId, done: p.done, total: p.total, previewUrl: this.opts.previewUrl(jobId, p.done) });
          })
          .catch(() => emit('generation:progress', { jobId, done: p.done, total: p.total }))
          .finally(() => (previewBusy = false));
      },
    );
    const { jobId } = started;
    // The caller learns the outcome from exactly one done/failed event.
    started.done
      .then((out) => {
        this.opts.modelChannels?.noteProvider(out.provider);
        const common = { jobId, provider: out.provider, totalMs: out.timings.totalMs, model: out.model.name, ...(out.warnings ? { warnings: out.warnings } : {}) };
        if (draft) {
          const { png, seed, width, height } = out.images[0]!;
          this.drafts.add(jobId, {
            png, seed, width, height, settings: req.settings, provider: out.provider, timings: out.timings,
            modelId: req.modelId, modelHash: out.model.hash, documentId: req.documentId, initImageId: req.initImageId, maskImageId: req.maskImageId,
          });
          emit('generation:done', { ...common, images: [], draft: { url: this.opts.previewUrl(jobId, req.settings.steps), width, height, seed } });
          return;
        }
        emit('generation:done', {
          ...common,
          images: out.images.map((img) => ({ imageId: img.imageId!, seed: img.seed, width: img.width, height: img.height, historyEntryId: started.entryId! })),
        });
      })
      .catch((e: unknown) => emit('generation:failed', { jobId, ...describeFailure(e) }))
      .finally(() => this.previews.delete(jobId));
    return { jobId };
  }

  /** Apply in Live mode: the draft's PNG goes into the image store and becomes a History entry ("from live draft"). */
  private async keepDraft(jobId: string, documentId: string | undefined): Promise<GeneratedImageRef> {
    const d = this.drafts.get(jobId);
    if (!d) throw new JobError('That live draft is no longer kept: wait for the next preview and apply again.', 'invalid-input');
    const { entry, imageId } = await this.opts.generation.keep({
      settings: d.settings, model: { name: d.modelId, hash: d.modelHash }, png: d.png, seed: d.seed, provider: d.provider, timings: d.timings,
      documentId: documentId ?? d.documentId, initImageId: d.initImageId, maskImageId: d.maskImageId, origin: 'live',
    });
    return { imageId, width: d.width, height: d.height, seed: d.seed, historyEntryId: entry.id };
  }
}

interface DraftInputs {
  modelId: string;
  modelHash?: string;
  documentId?: string;
  initImageId?: string;
  maskImageId?: string;
}

interface LiveDraft extends DraftInputs {
  png: Buffer;
  seed: number;
  width: number;
  height: number;
  settings: GenerationSettings;
  provider: string;
  timings: PhaseTimings;
}

/** The last few live drafts: enough for an Apply that races the next preview, bounded so live never grows memory. */
class LiveDrafts {
  private readonly byJob = new Map<string, LiveDraft>();
  constructor(private readonly keep = 4) {}

  add(jobId: string, d: LiveDraft): void {
    this.byJob.set(jobId, d);
    while (this.byJob.size > this.keep) this.byJob.delete(this.byJob.keys().next().value!);
  }

  get(jobId: string): LiveDraft | undefined {
    return this.byJob.get(jobId);
  }
}

