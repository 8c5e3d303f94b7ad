import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Agent, EnvHttpProxyAgent, fetch, type Dispatcher } from 'undici';
import { fileUrl, HUGGING_FACE, type CatalogEntry, type CatalogFile } from './modelCatalog.js';
import { formatBytes } from '../../shared/format.js';
import { ProgressMeter, type PullProgress } from './downloadProgress.js';
import { readModelFolder } from './modelFolder.js';
import { UserError } from '../../shared/userError.js';

/**
 * Downloads one catalogue entry into the models folder, so that a model is either wholly there and
 * verified or not there at all:
 *   <models>/.staging/<id>/<path>.part   bytes as they arrive (kept on cancel, crash or a dropped connection)
 *   <models>/.staging/<id>/<path>        a file whose length and SHA-256 were checked
 *   <models>/<id>                        the staging folder renamed into place once every file is checked
 * A new pull of the same entry resumes each `.part` with an HTTP Range request (If-Range on the ETag, so
 * a changed file restarts instead of being spliced). Pausing is cancelling; resuming is pulling again.
 */

export type { PullPhase, PullProgress } from './downloadProgress.js';

export interface PullOptions {
  /** The folder installed models live in; staging happens inside it so the final rename is atomic. */
  modelsDir: string;
  /** Default https://huggingface.co; a mirror or a test server with the same URL shape. */
  baseUrl?: string;
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
  /** Free bytes where the models folder is; default `fs.statfs`. Injected by tests. */
  freeBytes?: (dir: string) => Promise<number>;
  /** Default: `dispatcherFromEnv()` (HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment). */
  dispatcher?: Dispatcher;
  /** Automatic resumes after a dropped connection or a 5xx, per file. Default 5. */
  retries?: number;
  /** First back-off; doubles per retry up to 30 s. Default 1000 ms. */
  retryDelayMs?: number;
  /**
   * Bearer token for gated repositories; default $HF_TOKEN. Sent only to the base URL's origin (fetch
   * drops it on the Hub's cross-origin redirect to its CDN, whose signed URLs need none).
   */
  token?: string;
  /** Folder name under modelsDir; default the entry id. */
  folderName?: string;
  /** Minimum time between progress events while bytes flow. Default 250 ms. */
  progressIntervalMs?: number;
}

export interface PullResult {
  modelId: string;
  dir: string;
  bytes: number;
  files: number;
  /** Optional files the server did not have. */
  skipped: string[];
  /** Files continued from a `.part` with a Range request. */
  resumed: string[];
  /** Files whose `.part` was thrown away because the server sent the whole file again. */
  restarted: string[];
}

export type PullErrorCode = 'cancelled' | 'http' | 'network' | 'checksum' | 'size' | 'disk-space' | 'disk-full' | 'exists' | 'busy' | 'invalid-model';

export class PullError extends UserError {
  declare readonly code: PullErrorCode;
  constructor(message: string, code: PullErrorCode) {
    super(message, code);
  }
}

export const SOURCE_FILE = 'atelier-source.json';
const STAGING = '.staging';
/** Room kept free beyond the download itself (the OS and the history store need some too). */
const SPARE_BYTES = 64 * 2 ** 20;

/**
 * Node 20's built-in fetch ignores proxy variables, so pulls go through an undici dispatcher built from
 * them: EnvHttpProxyAgent (HTTPS_PROXY, else HTTP_PROXY; NO_PROXY honoured) when one is set, a plain
 * Agent otherwise (EnvHttpProxyAgent prints an "experimental" warning, which users without a proxy
 * need not see).
 */
export function dispatcherFromEnv(env: NodeJS.ProcessEnv = process.env): Dispatcher {
  const httpProxy = env['HTTP_PROXY'] ?? env['http_proxy'];
  const httpsProxy = env['HTTPS_PROXY'] ?? env['https_proxy'];
  if (!httpProxy && !httpsProxy) return new Agent();
  return new EnvHttpProxyAgent({
    httpProxy: httpProxy ?? httpsProxy,
    httpsProxy: httpsProxy ?? httpProxy,
    noProxy: env['NO_PROXY'] ?? env['no_proxy'] ?? '',
  });
}

let sharedAgent: Dispatcher | undefined;
function defaultDispatcher(): Dispatcher {
  sharedAgent ??= dispatcherFromEnv();
  return sharedAgent;
}

export async function statfsFreeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

export function stagingDir(modelsDir: string, folderName: string): string {
  return join(modelsDir, STAGING, folderName);
}

/** Throws away a paused download (its `.part` files and verified files in staging). */
export async function discardPull(modelsDir: string, folderName: string): Promise<void> {
  const staging = stagingDir(modelsDir, folderName);
  // Not under a pull that is still running (in this or another process).
  const release = await acquireLock(`${staging}.lock`, folderName);
  try {
    await rm(staging, { recursive: true, force: true });
  } finally {
    await release();
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

function isAbort(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function cancelled(): PullError {
  return new PullError('download cancelled; pull the same model again to resume', 'cancelled');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (isAbort(signal)) return reject(cancelled());
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(t);
      reject(cancelled());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Holds `<staging>.lock` with our pid; a lock left by a dead process is taken over. */
async function acquireLock(lockPath: string, what: string): Promise<() => Promise<void>> {
  await mkdir(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return async () => {
        await unlink(lockPath).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      let alive = false;
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch (err) {
          alive = (err as NodeJS.ErrnoException).code === 'EPERM';
        }
      } else if (pid === process.pid) {
        alive = true;
      }
      if (alive) throw new PullError(`${what} is already being downloaded (process ${pid})`, 'busy');
      await unlink(lockPath).catch(() => undefined);
    }
  }
  throw new PullError(`could not lock ${lockPath}`, 'busy');
}

interface PartMeta {
  url: string;
  etag?: string;
  total?: number;
}

async function readMeta(path: string): Promise<PartMeta | undefined> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as PartMeta;
    return typeof v.url === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

async function hashExisting(hash: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

/** `bytes 100-199/1000` → {start: 100, total: 1000}. */
function parseContentRange(v: string | null): { start: number; total: number | null } | undefined {
  const m = v ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) };
}

interface FileContext {
  url: string;
  file: CatalogFile;
  finalPath: string;
  opts: PullOptions;
  dispatcher: Dispatcher;
  meter: ProgressMeter;
}

type FileOutcome = 'fetched' | 'resumed' | 'restarted' | 'skipped';

/** One attempt's failure that another attempt (with a Range request) may fix. */
class Retryable extends Error {}

async function downloadFile(ctx: FileContext): Promise<FileOutcome> {
  const { file, opts } = ctx;
  const retries = opts.retries ?? 5;
  let resumedAny = false;
  let restartedAny = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await attemptFile(ctx);
      if (r === 'skipped') return r;
      resumedAny ||= r === 'resumed';
      restartedAny ||= r === 'restarted';
      return restartedAny ? 'restarted' : resumedAny ? 'resumed' : 'fetched';
    } catch (e) {
      if (isAbort(opts.signal)) throw cancelled();
      if (!(e instanceof Retryable)) throw e;
      if (attempt >= retries) {
        throw new PullError(`${file.path}: ${e.message} (gave up after ${attempt + 1} attempts; pull again to resume)`, 'network');
      }
      await sleep(Math.min(30_000, (opts.retryDelayMs ?? 1000) * 2 ** attempt), opts.signal);
    }
  }
}

async function attemptFile(ctx: FileContext): Promise<FileOutcome> {
  const { url, file, finalPath, opts, meter } = ctx;
  const partPath = `${finalPath}.part`;
  const metaPath = `${partPath}.json`;
  await mkdir(dirname(finalPath), { recursive: true });

  let have = (await sizeOf(partPath)) ?? 0;
  const meta = await readMeta(metaPath);
  // A part from another URL (catalogue changed) or longer than the file cannot be continued.
  if (have > 0 && (!meta || meta.url !== url || (file.size !== null && have > file.size))) have = 0;

  const headers: Record<string, string> = { 'user-agent': 'Atelier-model-downloader' };
  const token = opts.token ?? process.env['HF_TOKEN'];
  if (token && new URL(url).origin === new URL(opts.baseUrl ?? HUGGING_FACE).origin) headers['authorization'] = `Bearer ${token}`;
  if (have > 0) {
    headers['range'] = `bytes=${have}-`;
    // A weak ETag never matches If-Range (RFC 9110), so sending one would restart every resume.
    if (meta?.etag && !meta.etag.startsWith('W/')) headers['if-range'] = meta.etag;
  }
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(url, { headers, signal: opts.signal, dispatcher: ctx.dispatcher, redirect: 'follow' });
  } catch (e) {
    if (isAbort(opts.signal)) throw cancelled();
    throw new Retryable(`could not reach ${new URL(url).host} (${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message})`);
  }

  if (res.status === 404 && file.optional) {
    await res.body?.cancel().catch(() => undefined);
    meter.skip(file.path);
    return 'skipped';
  }
  if (res.status === 416 && have > 0) {
    // Our part is as long as (or longer than) what the server has now: start that file over.
    await res.body?.cancel().catch(() => undefined);
    await rm(partPath, { force: true });
    throw new Retryable('the server refused to continue the partial file; starting it over');
  }
  if (res.status >= 500 || res.status === 429) {
    await res.body?.cancel().catch(() => undefined);
    throw new Retryable(`HTTP ${res.status} from ${new URL(url).host}`);
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel().catch(() => undefined);
    const hint = token ? 'the token in HF_TOKEN was refused' : 'a gated model: accept its licence on its page, then set HF_TOKEN';
    throw new PullError(`download failed: HTTP ${res.status} for ${url} (${hint})`, 'http');
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel().catch(() => undefined);
    throw new PullError(`download failed: HTTP ${res.status} ${res.statusText} for ${url}`, 'http');
  }

  let append = false;
  let total: number | null = null;
  let outcome: FileOutcome = 'fetched';
  if (res.status === 206 && have > 0) {
    const range = parseContentRange(res.headers.get('content-range'));
    if (!range || range.start !== have) {
      await res.body?.cancel().catch(() => undefined);
      await rm(partPath, { force: true });
      throw new Retryable('the server answered a different byte range; starting the file over');
    }
    append = true;
    total = range.total;
    outcome = 'resumed';
  } else {
    // 200: the whole file (a server without ranges, or a changed file under If-Range).
    if (have > 0) outcome = 'restarted';
    have = 0;
    const len = res.headers.get('content-length');
    total = len !== null && /^\d+$/.test(len) ? Number(len) : null;
  }
  if (file.size !== null && total !== null && total !== file.size) {
    await res.body?.cancel().catch(() => undefined);
    throw new PullError(`${file.path}: the server offers ${total} bytes but the catalogue says ${file.size}; nothing was placed`, 'size');
  }
  if (total !== null) meter.setSize(file.path, total);
  await writeFile(metaPath, JSON.stringify({ url, etag: res.headers.get('etag') ?? undefined, total: total ?? undefined } satisfies PartMeta));

  const hash = createHash('sha256');
  if (append) await hashExisting(hash, partPath);
  meter.setDone(file.path, have);
  let onDisk = have;
  const fh = await open(partPath, append ? 'a' : 'w');
  try {
    if (res.body) {
      try {
        for await (const chunk of res.body) {
          const buf = chunk as Uint8Array;
          hash.update(buf);
          await fh.write(buf);
          onDisk += buf.byteLength;
          meter.received(file.path, onDisk, buf.byteLength);
        }
      } catch (e) {
        if (isAbort(opts.signal)) throw cancelled();
        if ((e as NodeJS.ErrnoException).code === 'ENOSPC') {
          throw new PullError(`disk full while writing ${file.path}; ${formatBytes(onDisk, 'precise')} kept for resuming`, 'disk-full');
        }
        if (e instanceof PullError) throw e;
        throw new Retryable(`the connection dropped after ${formatBytes(onDisk, 'precise')}`);
      }
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (total !== null && onDisk < total) throw new Retryable(`the transfer ended early at ${formatBytes(onDisk, 'precise')} of ${formatBytes(total, 'precise')}`);

  const digest = hash.digest('hex');
  if ((file.size !== null && onDisk !== file.size) || (total !== null && onDisk !== total)) {
    await rm(partPath, { force: true });
    throw new PullError(`${file.path}: received ${onDisk} bytes, expected ${file.size ?? total}; the file was discarded`, 'size');
  }
  if (file.sha256 !== null && digest !== file.sha256) {
    await rm(partPath, { force: true });
    await rm(metaPath, { force: true });
    throw new PullError(
      `${file.path} failed its SHA-256 check (expected ${file.sha256.slice(0, 12)}…, got ${digest.slice(0, 12)}…); the download was discarded and nothing was placed`,
      'checksum',
    );
  }
  await rename(partPath, finalPath);
  await rm(metaPath, { force: true });
  meter.setDone(file.path, onDisk);
  return outcome;
}

const PULL_STATE = '.atelier-pull.json';

/**
 * Verified files in staging are trusted on resume, so they must come from the same repository and
 * revision: a staging folder left by another revision (the catalogue was updated) is emptied first.
 */
async function forgetOtherRevision(staging: string, entry: CatalogEntry): Promise<void> {
  const want = { repo: entry.source.repo, revision: entry.source.revision };
  const statePath = join(staging, PULL_STATE);
  let have: unknown;
  try {
    have = JSON.parse(await readFile(statePath, 'utf8'));
  } catch {
    have = undefined;
  }
  const same = !!have && typeof have === 'object' && (have as typeof want).repo === want.repo && (have as typeof want).revision === want.revision;
  if (!same) {
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    await writeFile(statePath, JSON.stringify(want));
  }
}

/** Downloads, verifies and places one catalogue entry. See the module comment for the folder layout. */
export async function pullModel(entry: CatalogEntry, opts: PullOptions): Promise<PullResult> {
  const folderName = opts.folderName ?? entry.id;
  const target = join(opts.modelsDir, folderName);
  if ((await sizeOf(target)) !== undefined) {
    throw new PullError(`${target} already exists; remove it first or pull under another name`, 'exists');
  }
  if (isAbort(opts.signal)) throw cancelled();
  const staging = stagingDir(opts.modelsDir, folderName);
  await mkdir(staging, { recursive: true });
  const release = await acquireLock(`${staging}.lock`, entry.id);
  try {
    await forgetOtherRevision(staging, entry);
  } catch (e) {
    await release();
    throw e;
  }
  const meter = new ProgressMeter(entry, opts.onProgress, opts.progressIntervalMs ?? 250);
  const result: PullResult = { modelId: entry.id, dir: target, bytes: 0, files: 0, skipped: [], resumed: [], restarted: [] };
  try {
    // What is still missing, given verified files and parts already in staging.
    let needed = 0;
    for (const f of entry.files) {
      const done = await sizeOf(join(staging, f.path));
      if (done !== undefined) {
        meter.setDone(f.path, done);
        meter.setSize(f.path, done);
        continue;
      }
      const part = (await sizeOf(join(staging, `${f.path}.part`))) ?? 0;
      meter.setDone(f.path, part);
      needed += Math.max(0, (f.size ?? f.approxBytes) - part);
    }
    meter.report('checking');
    const free = await (opts.freeBytes ?? statfsFreeBytes)(opts.modelsDir);
    if (free < needed + SPARE_BYTES) {
      throw new PullError(
        `not enough disk space in ${opts.modelsDir}: ${entry.id} needs ${formatBytes(needed, 'precise')} more (plus ${formatBytes(SPARE_BYTES, 'precise')} spare), ${formatBytes(free, 'precise')} is free`,
        'disk-space',
      );
    }

    const dispatcher = opts.dispatcher ?? defaultDispatcher();
    for (const [i, f] of entry.files.entries()) {
      if (isAbort(opts.signal)) throw cancelled();
      const finalPath = join(staging, f.path);
      meter.file = f.path;
      meter.fileIndex = i;
      const existing = await sizeOf(finalPath);
      if (existing !== undefined) {
        result.files++;
        result.bytes += existing;
        continue;
      }
      const outcome = await downloadFile({ url: fileUrl(entry, f, opts.baseUrl ?? HUGGING_FACE), file: f, finalPath, opts, dispatcher, meter });
      if (outcome === 'skipped') {
        result.skipped.push(f.path);
        continue;
      }
      if (outcome === 'resumed') result.resumed.push(f.path);
      if (outcome === 'restarted') result.restarted.push(f.path);
      result.files++;
      result.bytes += (await sizeOf(finalPath)) ?? 0;
    }

    meter.file = undefined;
    meter.report('placing');
    if (entry.kind === 'pipeline') {
      try {
        readModelFolder(staging);
      } catch (e) {
        throw new PullError(`${entry.id} downloaded but is not a usable model folder: ${(e as Error).message}`, 'invalid-model');
      }
    }
    const source = {
      type: 'atelier-model-source',
      version: 1,
      catalogId: entry.id,
      kind: entry.kind,
      family: entry.family,
      label: entry.label,
      repo: entry.source.repo,
      revision: entry.source.revision,
      license: entry.license.id,
      // readModelFolder takes label and recommended settings from here (model_index.json stays as published).
      ...(entry.recommended ? { recommended: entry.recommended } : {}),
      pulledAt: new Date().toISOString(),
      skipped: result.skipped,
    };
    await rm(join(staging, PULL_STATE), { force: true });
    await writeFile(join(staging, SOURCE_FILE), `${JSON.stringify(source, null, 2)}\n`);
    // What the upscale engine reads beside the model (core/engine/upscale/onnxUpscaler.ts).
    if (entry.upscaler) await writeFile(join(staging, 'upscaler.json'), `${JSON.stringify({ type: 'atelier-upscaler', version: 1, label: entry.label, ...entry.upscaler }, null, 2)}\n`);
    if ((await sizeOf(target)) !== undefined) throw new PullError(`${target} appeared while downloading; the download stays in ${staging}`, 'exists');
    await rename(staging, target);
    meter.report('done');
    return result;
  } finally {
    await release();
  }
}
