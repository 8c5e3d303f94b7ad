import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { AtelierDocument } from '../../contract/document.js';
import { openDocument as openDocumentFile, saveDocumentAs } from '../export/documentIO.js';
import { referencedImageIds } from '../store/documentFile.js';
import type { ApiChannel, ApiEventName, ApiEvents, ApiParsedRequest, ApiResponses, GeneratedImageRef } from '../../contract/api.js';
import type { GenerationSettings } from '../../contract/generation.js';
import type { GenerateRequest, GenerateResult, PhaseTimings } from '../engine/types.js';
import { encodePng } from '../export/pngMetadata.js';
import type { ImageStore } from '../store/imageStore.js';
import { DocumentLibrary } from './documentLibrary.js';
import { EngineHost, JobError } from './engineHost.js';
import type { HistoryRecorder } from './historyRecorder.js';
import { decodeMask, decodeRgba, encodeSmallPng, toPng, ImageInputError } from './imageCodec.js';
import type { ModelCatalogue } from './modelCatalogue.js';
import { HistoryChannels, ProtectedImages } from './historyChannels.js';
import type { ModelChannels } from './modelChannels.js';
import type { HistoryStore } from '../store/historyStore.js';
import { PromptTokens } from './promptTokens.js';
import { modelFingerprint } from '../store/modelFingerprint.js';

export type Handlers = { [C in ApiChannel]: (req: ApiParsedRequest<C>) => Promise<ApiResponses[C]> };
export type Emit = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void;

export interface StudioBackendOptions {
  dataDir: string;
  images: ImageStore;
  models: ModelCatalogue;
  engine: EngineHost;
  history: HistoryRecorder;
  emit: Emit;
  /** The URL a client uses to fetch a job's latest preview (HTTP in serve, custom protocol in Electron). */
  previewUrl: (jobId: string, step: number) => string;
  origin?: 'app' | 'serve';
  /** The History panel's store (favourite, delete, re-run, import); opened with `protectedImages.has` as isImageInUse. */
  historyStore?: HistoryStore;
  protectedImages?: ProtectedImages;
  /** The Models dialog's channels (library, pulls, import, provider). */
  modelChannels?: ModelChannels;
}

/**
 * The app core behind the API, shared by Electron main and `serve`: models, images, generation jobs
 * (engine off-thread, results stored as PNG, one history entry per job), documents.
 */
export class StudioBackend {
  readonly images: ImageStore;
  readonly documents: DocumentLibrary;
  private readonly previews = new Map<string, Buffer>();
  /** Live drafts: results kept in memory (newest last) until Apply keeps one; never in History unless kept. */
  private readonly drafts = new LiveDrafts();
  private readonly tokens = new PromptTokens();

  constructor(private readonly opts: StudioBackendOptions) {
    this.images = opts.images;
    this.documents = new DocumentLibrary(opts.dataDir, this.images);
  }

  /** Latest step preview of a running job (small PNG), for the preview URL handler. */
  preview(jobId: string): Buffer | undefined {
    return this.previews.get(jobId) ?? this.drafts.get(jobId)?.png;
  }

  readonly handlers: Handlers = {
    'models:list': async () => ({ models: this.opts.models.list(), defaultModelId: this.opts.models.first() }),
    'prompt:tokenize': async ({ modelId, text }) => this.tokens.count(this.modelDir(modelId), text),
    'images:put': async ({ bytes }) => {
      const { png, width, height } = await toPng(bytes);
      return { imageId: await this.images.put(png), width, height };
    },
    'generation:start': async (req) => this.start(req),
    'generation:cancel': async ({ jobId }) => ({ cancelled: this.opts.engine.cancel(jobId) }),
    'generation:keepDraft': async ({ jobId, documentId }) => this.keepDraft(jobId, documentId),
    'history:list': async ({ documentId, cursor, limit, ...filter }) => this.opts.history.list(documentId, cursor, limit, filter),
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
      if (!dir) throw new JobError('Type the path of the model folder to import.', 'invalid-input');
      return this.modelChannels().import(dir);
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
    'documents:import': async ({ fileName, bytes }) => this.importFile(fileName, bytes),
    'export:document': async ({ name, format, document, frameOnly }) => {
      const file = `${name}.${format}`;
      const path = join(this.opts.dataDir, 'exports', file);
      await mkdir(dirname(path), { recursive: true });
      const bytes = await this.exportTo(path, document, frameOnly);
      return { path, bytes, downloadUrl: `/exports/${encodeURIComponent(file)}` };
    },
  };

  /** Writes the document in the format `path`'s extension names (layered PSD/ORA, flat PNG/JPEG/WebP, .atelier). */
  async exportTo(path: string, document: AtelierDocument, frameOnly: boolean): Promise<number> {
    const images = new Map<string, Uint8Array>();
    for (const id of referencedImageIds(document)) images.set(id, await this.images.read(id));
    return saveDocumentAs(path, document, images, { frameOnly });
  }

  /** Opens picked file bytes through the core readers (by extension); their images go into the image store. */
  async importFile(fileName: string, bytes: Uint8Array): Promise<{ document: AtelierDocument; warnings: string[] }> {
    const tmp = await this.importTempPath(fileName);
    await writeFile(tmp, bytes);
    return this.importFromTemp(fileName, tmp);
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
  async importFromTemp(fileName: string, tmp: string): Promise<{ document: AtelierDocument; warnings: string[] }> {
    try {
      const result = await openDocumentFile(tmp).catch((e: unknown) => {
        // Messages name the file: the user's name, not our temp copy.
        if (e instanceof Error) e.message = e.message.split(basename(tmp)).join(basename(fileName));
        throw e;
      });
      for (const png of result.images.values()) await this.images.put(png);
      const name = basename(fileName, extname(fileName)).slice(0, 255);
      return { document: { ...result.document, name }, warnings: result.warnings };
    } finally {
      await rm(tmp, { force: true });
    }
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

  private modelChannels(): ModelChannels {
    if (!this.opts.modelChannels) throw new JobError('The model library is not available in this host.', 'unavailable');
    return this.opts.modelChannels;
  }

  private modelDir(modelId: string): string {
    const dir = this.opts.models.dirOf(modelId);
    if (!dir) throw new JobError(`There is no model named "${modelId}".`, 'invalid-input');
    return dir;
  }

  private async start(req: ApiParsedRequest<'generation:start'> & { parentId?: string }): Promise<{ jobId: string }> {
    const { settings } = req;
    const modelDir = this.modelDir(req.modelId);
    // A live draft is the preview: no step previews to encode on its way.
    const request: GenerateRequest = { settings, previewEvery: req.live === 'draft' ? 0 : 1 };
    if (settings.mode !== 'txt2img') {
      if (!req.initImageId) throw new JobError(`${settings.mode} needs an init image.`, 'invalid-input');
      request.initImage = await decodeRgba(await this.images.read(req.initImageId));
      checkSize(request.initImage, settings, 'init image');
    }
    if (settings.mode === 'inpaint') {
      if (!req.maskImageId) throw new JobError('Inpainting needs a mask: paint one with the Brush.', 'invalid-input');
      request.mask = await decodeMask(await this.images.read(req.maskImageId));
      checkSize(request.mask, settings, 'mask');
    }
    const jobId = `job-${randomBytes(8).toString('hex')}`;
    if (req.live === 'draft') {
      void this.runDraft(jobId, modelDir, { modelId: req.modelId, documentId: req.documentId, initImageId: req.initImageId, maskImageId: req.maskImageId }, request);
      return { jobId };
    }
    const historyId = await this.opts.history.begin({
      settings, model: req.modelId, documentId: req.documentId, initImageId: req.initImageId, maskImageId: req.maskImageId, parentId: req.parentId,
      ...(req.live === 'finish' ? { origin: 'live' as const } : {}),
    });
    // Runs in the background; the caller learns the outcome from exactly one done/failed event.
    void this.run(jobId, historyId, modelDir, req.modelId, request);
    return { jobId };
  }

  private async run(jobId: string, historyId: string, modelDir: string, modelId: string, request: GenerateRequest): Promise<void> {
    const { emit } = this.opts;
    let previewBusy = false;
    try {
      const result = await this.opts.engine.generate(jobId, modelDir, request, (p) => {
        // Encode at most one preview at a time; a step that lands meanwhile just reports progress.
        if (!p.preview || previewBusy) {
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
      });
      const images = await this.store(result, request, modelId);
      // The fingerprint lets a later re-run say whether the model's files changed (cached by mtime: ms).
      const modelHash = await modelFingerprint(modelDir).catch(() => undefined);
      await this.opts.history.complete(historyId, images.map(({ imageId, seed }) => ({ imageId, seed })), result.provider, {
        timings: result.timings,
        modelHash,
      });
      this.opts.modelChannels?.noteProvider(result.provider);
      emit('generation:done', {
        jobId,
        images: images.map((img) => ({ ...img, historyEntryId: historyId })),
        provider: result.provider,
        totalMs: result.timings.totalMs,
        ...(result.warnings?.length ? { warnings: result.warnings } : {}),
      });
    } catch (e) {
      const { message, code } = describe(e);
      await this.opts.history.fail(historyId, code === 'cancelled' ? 'cancelled' : 'failed', message).catch(() => undefined);
      emit('generation:failed', { jobId, message, code });
    } finally {
      this.previews.delete(jobId);
    }
  }

  /** A live draft: run, keep the PNG (with its metadata) in memory, announce it by URL. No History, no image store. */
  private async runDraft(jobId: string, modelDir: string, inputs: DraftInputs, request: GenerateRequest): Promise<void> {
    const { emit } = this.opts;
    try {
      const result = await this.opts.engine.generate(jobId, modelDir, request, (p) => emit('generation:progress', { jobId, done: p.done, total: p.total }));
      const { image, seed } = result.images[0]!;
      const png = await encodePng(image, {
        settings: request.settings, model: inputs.modelId, provider: result.provider, seed, app: 'atelier', createdAt: new Date().toISOString(),
      });
      this.drafts.add(jobId, { png, seed, width: image.width, height: image.height, settings: request.settings, provider: result.provider, timings: result.timings, ...inputs });
      this.opts.modelChannels?.noteProvider(result.provider);
      emit('generation:done', {
        jobId, images: [], provider: result.provider, totalMs: result.timings.totalMs,
        draft: { url: this.opts.previewUrl(jobId, request.settings.steps), width: image.width, height: image.height, seed },
      });
    } catch (e) {
      emit('generation:failed', { jobId, ...describe(e) });
    }
  }

  /** Apply in Live mode: the draft's PNG goes into the image store and becomes a History entry ("from live draft"). */
  private async keepDraft(jobId: string, documentId: string | undefined): Promise<GeneratedImageRef> {
    const d = this.drafts.get(jobId);
    if (!d) throw new JobError('That live draft is no longer kept: wait for the next preview and apply again.', 'invalid-input');
    const imageId = await this.images.put(d.png);
    const historyEntryId = await this.opts.history.begin({
      settings: d.settings, model: d.modelId, documentId: documentId ?? d.documentId, initImageId: d.initImageId, maskImageId: d.maskImageId, origin: 'live',
    });
    await this.opts.history.complete(historyEntryId, [{ imageId, seed: d.seed }], d.provider, { timings: d.timings });
    return { imageId, width: d.width, height: d.height, seed: d.seed, historyEntryId };
  }

  private async store(result: GenerateResult, request: GenerateRequest, model: string) {
    return Promise.all(
      result.images.map(async ({ image, seed }) => {
        const png = await encodePng(image, {
          settings: request.settings, model, provider: result.provider, seed, app: 'atelier', createdAt: new Date().toISOString(),
        });
        return { imageId: await this.images.put(png), seed, width: image.width, height: image.height };
      }),
    );
  }
}

interface DraftInputs {
  modelId: string;
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

function checkSize(img: { width: number; height: number }, s: { width: number; height: number }, what: string): void {
  if (img.width !== s.width || img.height !== s.height) {
    throw new JobError(`The ${what} is ${img.width}×${img.height} but the frame is ${s.width}×${s.height}.`, 'invalid-input');
  }
}

/** One line for the user from anything thrown. */
export function describe(e: unknown): { message: string; code: string } {
  if (e instanceof JobError || e instanceof ImageInputError) return { message: e.message, code: (e as { code?: string }).code ?? 'invalid-input' };
  if (e instanceof Error) {
    const code = (e as Error & { code?: unknown }).code;
    return { message: e.message.split('\n')[0], code: typeof code === 'string' ? code : 'runtime' };
  }
  return { message: String(e), code: 'runtime' };
}
