import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { expectedBytes, findEntry, type ModelCatalog, type CatalogEntry } from './modelCatalog.js';
import { projectRoot } from './defaultModel.js';
import { pullModel, PullError, SOURCE_FILE, stagingDir, type PullOptions, type PullProgress, type PullResult } from './downloader.js';
import { readModelFolder, type ModelLayout } from './modelFolder.js';
import type { ModelFamily } from '../../contract/modelFamily.js';
import { UserError, toUserMessage } from '../../shared/userError.js';
import { replaceFileAtomicSync } from '../files/atomicWrite.js';

/**
 * Where installed models live, and the one list of them every host uses (the picker's InstalledModels,
 * `models list`, history re-runs):
 *   - folders under the models roots: $ATELIER_MODELS_DIR, <data>/models (where pulls go), then the demo
 *     model shipped with the app, and the tiny test models only with the developer flag (`testModelsEnabled`);
 *   - folders the user imported where they are (no copy), recorded in <data>/model-registry.json.
 */

export const REGISTRY_FILE = 'model-registry.json';

/** An imported folder. Its id is not stored: ids come from the one listing (folder names, made unique). */
export interface RegisteredModel {
  dir: string;
  importedAt: string;
}

export interface InstalledModel {
  /** Picker id: the folder name, made unique with -2, -3 … in listing order. */
  id: string;
  dir: string;
  label: string;
  /** '?' when the folder no longer reads as a model. */
  family: ModelFamily | '?';
  origin: 'pulled' | 'imported' | 'bundled' | 'folder';
  /** Catalogue id of a pulled model. */
  catalogId?: string;
  /** Set when the folder no longer reads as a model (files deleted or damaged). */
  problem?: string;
  /** What the model was made for (size, steps, guidance, scheduler), from its folder. */
  recommended?: ModelLayout['recommended'];
}

/** Where `models pull` puts models: $ATELIER_MODELS_DIR when set (e.g. a big disk), else <data>/models. */
export function pullTargetDir(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env['ATELIER_MODELS_DIR'] || join(dataDir, 'models');
}

function isModelDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(join(dir, 'unet', 'model.onnx'));
  } catch {
    return false;
  }
}

/** The developer flag: ATELIER_DEV_MODELS=1 lists the tiny test models (colour noise for any prompt) as installed. */
export const DEV_MODELS_ENV = 'ATELIER_DEV_MODELS';

export function testModelsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[DEV_MODELS_ENV] === '1';
}

/**
 * Folders to look in, in order: models roots that exist, then each imported folder (a root that is
 * itself a model counts as one model). The test models are for tests and developers, never a user's picker.
 */
export function libraryRoots(dataDir: string, resourcesPath?: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const base = resourcesPath ?? projectRoot();
  const testModels = testModelsEnabled(env) ? join(base, 'native-models', 'test-models') : undefined;
  const roots = [env['ATELIER_MODELS_DIR'], join(dataDir, 'models'), join(base, 'native-models', 'demo'), testModels]
    .filter((d): d is string => !!d && existsSync(d));
  const imported = readRegistry(dataDir).models.map((m) => m.dir).filter((d) => existsSync(d));
  return [...new Set([...roots, ...imported].map((d) => resolve(d)))];
}

/**
 * Every model folder under the roots, with unique ids (folder names; dot-folders like .staging skipped).
 * `accept` picks the kind of folder (base models by default; ControlNets in controlNetFolder.ts).
 */
export function listModelFolders(roots: string[], accept: (dir: string) => boolean = isModelDir): Array<{ id: string; dir: string }> {
  const out: Array<{ id: string; dir: string }> = [];
  const ids = new Set<string>();
  const seen = new Set<string>();
  const add = (name: string, dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    let id = name;
    for (let i = 2; ids.has(id); i++) id = `${name}-${i}`;
    ids.add(id);
    out.push({ id, dir });
  };
  for (const root of roots.map((r) => resolve(r))) {
    if (accept(root)) add(basename(root), root);
    let names: string[] = [];
    try {
      names = readdirSync(root).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const dir = join(root, name);
      if (accept(dir)) add(name, dir);
    }
  }
  return out;
}

// ---- registry of imported folders ----

export class LibraryError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

export function registryPath(dataDir: string): string {
  return join(dataDir, REGISTRY_FILE);
}

/** Reads the registry; a damaged file is reported (never overwritten) and reads as empty. */
export function readRegistry(dataDir: string): { models: RegisteredModel[]; problem?: string } {
  const path = registryPath(dataDir);
  if (!existsSync(path)) return { models: [] };
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as { type?: unknown; models?: unknown };
    if (v.type !== 'atelier-model-registry' || !Array.isArray(v.models)) throw new Error('not a model registry');
    const models = v.models.filter(
      (m): m is RegisteredModel => !!m && typeof m === 'object' && typeof (m as RegisteredModel).dir === 'string',
    );
    return { models };
  } catch (e) {
    return { models: [], problem: `model registry ${path} is damaged (${(e as Error).message}); move it aside to start a new one` };
  }
}

/** Written atomically: a crash leaves the old registry or the new one, never half. */
function writeRegistry(dataDir: string, models: RegisteredModel[]): void {
  const text = `${JSON.stringify({ type: 'atelier-model-registry', version: 1, models }, null, 2)}\n`;
  replaceFileAtomicSync(registryPath(dataDir), (tmp) => writeFileSync(tmp, text));
}

/**
 * Registers a model folder where it is. `check` loads it (the CLI passes `Engine.inspect`, which
 * creates the sessions) so a folder that reads well but does not load is refused before it is listed.
 */
export async function importModelFolder(
  dataDir: string,
  dir: string,
  check?: (dir: string) => Promise<unknown>,
): Promise<{ id: string; dir: string; alreadyListed: boolean }> {
  const abs = resolve(dir);
  // The check (the engine's inspect) reads the folder itself and reports in the engine's terms; without one, read it here.
  if (check) await check(abs);
  else readModelFolder(abs);
  const registry = readRegistry(dataDir);
  if (registry.problem) throw new LibraryError(registry.problem);
  const idOf = () => listModelFolders(libraryRoots(dataDir)).find((m) => m.dir === abs)?.id;
  const listed = idOf();
  if (listed) return { id: listed, dir: abs, alreadyListed: true };
  writeRegistry(dataDir, [...registry.models, { dir: abs, importedAt: new Date().toISOString() }]);
  return { id: idOf() ?? basename(abs), dir: abs, alreadyListed: false };
}

/** Removes an imported folder (by its listed id or its path) from the registry; the files stay. */
export function forgetImported(dataDir: string, idOrDir: string): boolean {
  const registry = readRegistry(dataDir);
  if (registry.problem) throw new LibraryError(registry.problem);
  const byId = listModelFolders(libraryRoots(dataDir)).find((m) => m.id === idOrDir)?.dir;
  const target = byId ?? resolve(idOrDir);
  const keep = registry.models.filter((m) => resolve(m.dir) !== target);
  if (keep.length === registry.models.length) return false;
  writeRegistry(dataDir, keep);
  return true;
}

// ---- listing ----

function sourceCatalogId(dir: string): string | undefined {
  try {
    const v = JSON.parse(readFileSync(join(dir, SOURCE_FILE), 'utf8')) as { catalogId?: unknown };
    return typeof v.catalogId === 'string' ? v.catalogId : undefined;
  } catch {
    return undefined;
  }
}

/** Installed models as the picker sees them (same ids), with labels, families and where they came from. */
export function installedModels(dataDir: string, resourcesPath?: string): InstalledModel[] {
  return describeModelFolders(listModelFolders(libraryRoots(dataDir, resourcesPath)), { dataDir, resourcesPath });
}

/**
 * THE description of listed model folders (the studio's InstalledModels and `installedModels` both use it):
 * label, family and recommended settings from the folder, and where it came from — imported (the data folder's
 * registry), pulled (a catalogue source file), bundled (under the app's native-models), else a folder. A folder
 * that no longer reads as a model keeps its id, with family '?' and the problem in one line.
 */
export function describeModelFolders(folders: ReadonlyArray<{ id: string; dir: string }>, where: { dataDir?: string; resourcesPath?: string } = {}): InstalledModel[] {
  const imported = new Set(where.dataDir ? readRegistry(where.dataDir).models.map((m) => resolve(m.dir)) : []);
  const bundled = resolve(where.resourcesPath ?? projectRoot(), 'native-models') + sep;
  return folders.map(({ id, dir }) => {
    const catalogId = sourceCatalogId(dir);
    const origin: InstalledModel['origin'] = imported.has(dir) ? 'imported' : catalogId ? 'pulled' : dir.startsWith(bundled) ? 'bundled' : 'folder';
    const from = { origin, ...(catalogId ? { catalogId } : {}) };
    try {
      const l = readModelFolder(dir);
      return { id, dir, label: l.label, family: l.family, ...(l.recommended ? { recommended: l.recommended } : {}), ...from };
    } catch (e) {
      return { id, dir, label: id, family: '?', ...from, problem: toUserMessage(e) };
    }
  });
}

/** Each folder under the pull folder (dot-folders skipped) with what its `atelier-source.json` says, in name order. */
function pulledFolders(root: string): Array<{ dir: string; source: { catalogId?: unknown; kind?: unknown; family?: unknown } }> {
  let names: string[] = [];
  try {
    names = readdirSync(root).sort();
  } catch {
    return [];
  }
  return names.filter((name) => !name.startsWith('.')).flatMap((name) => {
    const dir = join(root, name);
    try {
      return [{ dir, source: JSON.parse(readFileSync(join(dir, SOURCE_FILE), 'utf8')) as Record<string, unknown> }];
    } catch {
      return [];
    }
  });
}

/**
 * Pulled preview decoders (TAESD for SD 1.x/2.x latents, TAESDXL for SDXL), in the shape of the engine's
 * `previewDecoders` option: `new Engine({ previewDecoders: previewDecoders(dataDir) })`.
 */
export function previewDecoders(dataDir: string, env: NodeJS.ProcessEnv = process.env): { sd?: string; sdxl?: string } {
  const out: { sd?: string; sdxl?: string } = {};
  for (const { dir, source } of pulledFolders(pullTargetDir(dataDir, env))) {
    if (source.kind !== 'preview-vae' || !existsSync(join(dir, 'vae_decoder', 'model.onnx'))) continue;
    out[source.family === 'sdxl' ? 'sdxl' : 'sd'] ??= dir;
  }
  return out;
}

export interface CatalogStatus {
  entry: CatalogEntry;
  /** Installed folder of this entry, if pulled. */
  installedDir?: string;
  /** Bytes already in staging from a paused or interrupted pull. */
  partialBytes: number;
  approxBytes: number;
}

function folderBytes(dir: string): number {
  let total = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const p = join(dir, name);
    const s = statSync(p);
    total += s.isDirectory() ? folderBytes(p) : s.size;
  }
  return total;
}

/**
 * Pulled folders by the catalogue id their `atelier-source.json` records: what `installed` (the picker's base
 * models) does not list, e.g. a ControlNet or a preview decoder, is installed too once pulled.
 */
function pulledDirs(modelsDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const { dir, source } of pulledFolders(modelsDir)) if (typeof source.catalogId === 'string' && !out.has(source.catalogId)) out.set(source.catalogId, dir);
  return out;
}

export function catalogStatus(catalog: ModelCatalog, dataDir: string, installed = installedModels(dataDir)): CatalogStatus[] {
  const modelsDir = pullTargetDir(dataDir);
  const pulled = pulledDirs(modelsDir);
  return catalog.models.map((entry) => {
    const foundDir = installed.find((m) => m.catalogId === entry.id)?.dir ?? pulled.get(entry.id);
    return {
      entry,
      ...(foundDir ? { installedDir: foundDir } : {}),
      partialBytes: folderBytes(stagingDir(modelsDir, entry.id)),
      approxBytes: expectedBytes(entry),
    };
  });
}

// ---- downloads as jobs, for the app's Models dialog ----

export type DownloadEvent =
  | { jobId: string; type: 'progress'; progress: PullProgress }
  | { jobId: string; type: 'done'; result: PullResult }
  | { jobId: string; type: 'error'; message: string; code: string };

/**
 * Pulls as long jobs (house rule 3): each has an id, streams progress, ends with exactly one `done` or
 * `error`, and is cancelled (paused: the parts stay) by its own id. Starting the same model again resumes.
 */
export class ModelDownloads {
  private readonly jobs = new Map<string, { modelId: string; abort: AbortController }>();

  constructor(
    private readonly catalog: ModelCatalog,
    private readonly base: Omit<PullOptions, 'signal' | 'onProgress'>,
    private readonly emit: (e: DownloadEvent) => void,
  ) {}

  /** Returns the job id; throws a one-line error for an unknown model or one already downloading. */
  start(catalogId: string): string {
    const entry = findEntry(this.catalog, catalogId);
    for (const j of this.jobs.values()) if (j.modelId === catalogId) throw new LibraryError(`${catalogId} is already downloading`);
    const jobId = randomUUID();
    const abort = new AbortController();
    this.jobs.set(jobId, { modelId: catalogId, abort });
    void pullModel(entry, { ...this.base, signal: abort.signal, onProgress: (progress) => this.emit({ jobId, type: 'progress', progress }) })
      .then((result) => this.emit({ jobId, type: 'done', result }))
      .catch((e: unknown) => this.emit({ jobId, type: 'error', message: (e as Error).message, code: e instanceof PullError ? e.code : 'unknown' }))
      .finally(() => this.jobs.delete(jobId));
    return jobId;
  }

  /** Pauses/cancels one job; false when no such job is running. */
  cancel(jobId: string): boolean {
    const j = this.jobs.get(jobId);
    if (!j) return false;
    j.abort.abort();
    return true;
  }

  running(): Array<{ jobId: string; modelId: string }> {
    return [...this.jobs.entries()].map(([jobId, j]) => ({ jobId, modelId: j.modelId }));
  }
}
