import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ApiParsedRequest, ApiResponses, CatalogueModelInfo, InstalledModelInfo } from '../../contract/api.js';
import { providerCandidates } from '../engine/onnx/providers.js';
import { defaultCatalogPath, HUGGING_FACE, loadCatalog, type ModelCatalog } from '../models/modelCatalog.js';
import { discardPull } from '../models/downloader.js';
import { catalogStatus, importModelFolder, installedModels, ModelDownloads, pullTargetDir, readRegistry, type DownloadEvent } from '../models/modelLibrary.js';
import { JobError } from './engineHost.js';
import type { InstalledModels } from './installedModels.js';
import type { Emit } from './studioBackend.js';
import { toUserMessage } from '../../shared/userError.js';

export interface ModelChannelsOptions {
  dataDir: string;
  /** The picker's list; rescanned after a pull or an import so the new model can be picked at once. */
  models: InstalledModels;
  emit: Emit;
  /** Loads a folder before it is listed (the engine's inspect), so one that reads well but does not load is refused. */
  check?: (dir: string) => Promise<unknown>;
  resourcesPath?: string;
  /** ATELIER_MODELS_CATALOG (another catalogue file) and ATELIER_MODELS_BASE_URL (a mirror); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The Models dialog's channels: the installed models and the catalogue, pulls as jobs (progress with
 * speed and time left, pause = stop keeping the parts, resume = pull again, discard), folder import,
 * and the execution provider. The catalogue and downloader are core/models; this maps them to the API.
 */
export class ModelChannels {
  private readonly catalog: ModelCatalog | null;
  private readonly catalogProblem?: string;
  private readonly downloads: ModelDownloads | null;
  private readonly pullDir: string;
  /** Running pulls: catalogue id and a promise that settles when the job has ended (for discard). */
  private readonly jobs = new Map<string, { catalogId: string; ended: Promise<void>; end(): void }>();
  private lastProvider: string | null = null;

  constructor(private readonly opts: ModelChannelsOptions) {
    const env = opts.env ?? process.env;
    this.pullDir = pullTargetDir(opts.dataDir, env);
    let catalog: ModelCatalog | null = null;
    try {
      catalog = loadCatalog(env['ATELIER_MODELS_CATALOG'] || defaultCatalogPath(opts.resourcesPath));
    } catch (e) {
      this.catalogProblem = `The model catalogue cannot be read: ${toUserMessage(e)}`;
    }
    this.catalog = catalog;
    this.downloads = catalog
      ? new ModelDownloads(catalog, { modelsDir: this.pullDir, baseUrl: env['ATELIER_MODELS_BASE_URL'] || HUGGING_FACE }, (e) => this.onDownload(e))
      : null;
  }

  /** The engine reports its provider with every result; the dialog shows the last one. */
  noteProvider(provider: string): void {
    this.lastProvider = provider;
  }

  library(): ApiResponses['models:library'] {
    const installed = this.installed();
    const byCatalogId = new Map(installed.filter((m) => m.catalogId).map((m) => [m.catalogId!, m.id]));
    const running = new Map([...this.jobs.entries()].map(([jobId, j]) => [j.catalogId, jobId]));
    const catalogue: CatalogueModelInfo[] = this.catalog
      ? catalogStatus(this.catalog, this.opts.dataDir, installedModels(this.opts.dataDir, this.opts.resourcesPath)).map(({ entry, partialBytes, approxBytes, installedDir }) => {
          // A pulled ControlNet is not in the picker's list: it is installed under its ControlNet id; a preview
          // decoder or an upscaler is in no list by id: installed under its catalogue id.
          const installedId = byCatalogId.get(entry.id) ?? (installedDir ? this.idOfDir(installedDir) ?? entry.id : undefined);
          return {
            id: entry.id, label: entry.label, family: entry.family ?? 'upscaler', kind: entry.kind, licence: entry.license.id, nonCommercial: entry.license.nonCommercial,
            page: entry.source.page, notes: entry.notes, approxBytes, partialBytes,
            ...(installedId ? { installedId } : {}),
            ...(running.has(entry.id) ? { downloadingJobId: running.get(entry.id) } : {}),
          };
        })
      : [];
    return {
      installed,
      catalogue,
      ...(this.catalogProblem ? { catalogueProblem: this.catalogProblem } : {}),
      provider: { lastUsed: this.lastProvider, tries: providerCandidates('auto', process.platform, process.arch) },
      pullDir: this.pullDir,
    };
  }

  pull({ catalogId }: ApiParsedRequest<'models:pull'>): ApiResponses['models:pull'] {
    if (!this.downloads) throw new JobError(this.catalogProblem ?? 'There is no model catalogue.', 'unavailable');
    for (const [jobId, j] of this.jobs) if (j.catalogId === catalogId) return { jobId };
    const entry = this.catalog!.models.find((m) => m.id === catalogId);
    if (!entry) throw new JobError(`There is no model "${catalogId}" in the catalogue.`, 'not-found');
    let end = () => undefined as void;
    const ended = new Promise<void>((r) => (end = r));
    // Registered before start() returns: its first event may come before we would otherwise know the id.
    const pending = { catalogId, ended, end };
    const jobId = this.downloads.start(catalogId);
    this.jobs.set(jobId, pending);
    return { jobId };
  }

  pause({ jobId }: ApiParsedRequest<'models:pause'>): ApiResponses['models:pause'] {
    return { paused: this.downloads?.cancel(jobId) ?? false };
  }

  async discard({ catalogId }: ApiParsedRequest<'models:discard'>): Promise<ApiResponses['models:discard']> {
    for (const [jobId, j] of this.jobs) {
      if (j.catalogId !== catalogId) continue;
      this.downloads?.cancel(jobId);
      await j.ended;
    }
    const had = this.catalog ? (catalogStatus({ ...this.catalog, models: this.catalog.models.filter((m) => m.id === catalogId) }, this.opts.dataDir, [])[0]?.partialBytes ?? 0) > 0 : false;
    await discardPull(this.pullDir, catalogId);
    return { discarded: had };
  }

  async import(dir: string): Promise<ApiResponses['models:import']> {
    if (!/^([A-Za-z]:)?[\\/]/.test(dir)) throw new JobError('Give the model folder as an absolute path.', 'invalid-input');
    const r = await importModelFolder(this.opts.dataDir, dir, this.opts.check);
    this.rescan();
    const id = this.idOfDir(r.dir) ?? r.id;
    return { id, alreadyListed: r.alreadyListed };
  }

  private onDownload(e: DownloadEvent): void {
    const job = this.jobs.get(e.jobId);
    const catalogId = job?.catalogId ?? (e.type === 'progress' ? e.progress.modelId : '');
    if (e.type === 'progress') {
      const p = e.progress;
      this.opts.emit('models:progress', {
        jobId: e.jobId, catalogId, phase: p.phase, ...(p.file ? { file: p.file } : {}), fileIndex: p.fileIndex, fileCount: p.fileCount,
        doneBytes: p.doneBytes, totalBytes: p.totalBytes, bytesPerSecond: p.bytesPerSecond, etaSeconds: p.etaSeconds,
      });
      return;
    }
    this.jobs.delete(e.jobId);
    if (e.type === 'done') {
      this.rescan();
      this.opts.emit('models:done', { jobId: e.jobId, catalogId, modelId: this.idOfDir(e.result.dir) ?? null, bytes: e.result.bytes, resumedFiles: e.result.resumed.length });
    } else {
      this.opts.emit('models:failed', { jobId: e.jobId, catalogId, message: toUserMessage(e.message), code: e.code });
    }
    job?.end();
  }

  /** Pulled and imported folders join the picker's roots. */
  private rescan(): void {
    const extra = [this.pullDir, ...readRegistry(this.opts.dataDir).models.map((m) => m.dir)].filter((d) => existsSync(d));
    this.opts.models.rescan(extra);
  }

  /** The picker id of a model folder, else the id of a ControlNet folder (the Control section's list). */
  private idOfDir(dir: string): string | undefined {
    const abs = resolve(dir);
    const m = this.opts.models;
    return m.list().find((x) => m.dirOf(x.id) === abs)?.id ?? m.listControlNets().find((c) => m.controlNetDirOf(c.id) === abs)?.id;
  }

  /** What the picker lists, with where each came from. */
  private installed(): InstalledModelInfo[] {
    return this.opts.models.installed().map(({ id, label, family, origin, catalogId, problem }) => ({
      id, label, family, origin, ...(catalogId ? { catalogId } : {}), ...(problem ? { problem } : {}),
    }));
  }
}
