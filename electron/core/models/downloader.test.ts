import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from './defaultModel.js';
import { dispatcherFromEnv, discardPull, pullModel, PullError, SOURCE_FILE, stagingDir, type PullOptions, type PullProgress } from './downloader.js';
import { readModelFolder } from './modelFolder.js';
import { catalogEntryForFolder, startTestModelServer, type TestModelServer } from './testing/testModelServer.js';
import type { CatalogEntry } from './modelCatalog.js';

const tmp = mkdtempSync(join(tmpdir(), 'atelier-pull-'));
// A private copy: other suites may rebuild native-models/test-models while this one runs.
const source = join(tmp, 'source');
cpSync(join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny'), source, { recursive: true });
const entry = catalogEntryForFolder(source, 'sd15-tiny');
let server: TestModelServer;
let n = 0;

beforeAll(async () => {
  server = await startTestModelServer(source, entry.source.repo);
});
afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => {
  for (const f of entry.files) server.misbehave(f.path, undefined);
  server.requests.length = 0;
});

function freshModelsDir(): string {
  const d = join(tmp, `models-${n++}`);
  return d;
}

function options(modelsDir: string, extra: Partial<PullOptions> = {}): PullOptions {
  return { modelsDir, baseUrl: server.baseUrl, retryDelayMs: 0, progressIntervalMs: 0, freeBytes: async () => 1e12, ...extra };
}

function expectSameFiles(dir: string): void {
  for (const f of entry.files) {
    expect(readFileSync(join(dir, f.path)).equals(readFileSync(join(source, f.path))), f.path).toBe(true);
  }
}

const UNET = 'unet/model.onnx';
const TEXT = 'text_encoder/model.onnx';
const VAE = 'vae_decoder/model.onnx';

describe('pullModel against a local server', () => {
  it('pulls every file through the redirect, verifies it and places the folder in one rename', async () => {
    const modelsDir = freshModelsDir();
    const events: PullProgress[] = [];
    const r = await pullModel(entry, options(modelsDir, { onProgress: (p) => events.push(p) }));
    const dir = join(modelsDir, 'sd15-tiny');
    expect(r.dir).toBe(dir);
    expect(r.files).toBe(entry.files.length);
    expect(r.bytes).toBe(entry.files.reduce((s, f) => s + f.size!, 0));
    expectSameFiles(dir);
    const layout = readModelFolder(dir);
    expect(layout.family).toBe('sd1');
    // The catalogue's label and settings reach generation without touching the published model_index.json.
    expect(layout.label).toBe('Test sd15-tiny');
    expect(layout.recommended).toEqual(entry.recommended);
    expect(readFileSync(join(dir, 'model_index.json')).equals(readFileSync(join(source, 'model_index.json')))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, SOURCE_FILE), 'utf8'))).toMatchObject({ catalogId: 'sd15-tiny', repo: entry.source.repo });
    expect(existsSync(stagingDir(modelsDir, 'sd15-tiny'))).toBe(false);
    expect(readdirSync(modelsDir).sort()).toEqual(['.staging', 'sd15-tiny']);
    expect(readdirSync(join(modelsDir, '.staging'))).toEqual([]);
    // Progress: starts with a check, bytes never go backwards, ends complete.
    expect(events[0]!.phase).toBe('checking');
    const last = events[events.length - 1]!;
    expect(last).toMatchObject({ phase: 'done', doneBytes: r.bytes, totalBytes: r.bytes, etaSeconds: 0 });
    const flowing = events.filter((e) => e.phase === 'downloading');
    expect(flowing.length).toBeGreaterThan(5);
    for (let i = 1; i < events.length; i++) expect(events[i]!.doneBytes).toBeGreaterThanOrEqual(events[i - 1]!.doneBytes);
    expect(flowing.some((e) => e.bytesPerSecond > 0 && e.etaSeconds !== null)).toBe(true);
    expect(server.requests.every((q) => q.range === undefined && q.status === 200)).toBe(true);

    await expect(pullModel(entry, options(modelsDir))).rejects.toMatchObject({ code: 'exists' });
  });

  it('a connection dropped mid-file is resumed with a Range request', async () => {
    const modelsDir = freshModelsDir();
    server.misbehave(UNET, { kind: 'drop-after', bytes: 300_000 });
    const r = await pullModel(entry, options(modelsDir));
    expectSameFiles(join(modelsDir, 'sd15-tiny'));
    const unet = server.requests.filter((q) => q.path === UNET);
    expect(unet.map((q) => q.status)).toEqual([200, 206]);
    // It continues from what reached the disk: at most what the server sent before dropping.
    expect(unet[0]!.range).toBeUndefined();
    const from = Number(/^bytes=(\d+)-$/.exec(unet[1]!.range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(300_000);
    expect(unet[1]!.ifRange).toMatch(/^"[0-9a-f]{64}"$/);
    expect(r.resumed).toEqual([UNET]);
  });

  it('a .part left by an earlier run (crash, quit, no retries left) is resumed by the next pull', async () => {
    const modelsDir = freshModelsDir();
    server.misbehave(TEXT, { kind: 'drop-after', bytes: 400_000 });
    const err = await pullModel(entry, options(modelsDir, { retries: 0 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PullError);
    expect((err as PullError).code).toBe('network');
    expect((err as PullError).message).toMatch(/text_encoder\/model.onnx: the connection dropped .*pull again to resume/);
    expect(existsSync(join(modelsDir, 'sd15-tiny'))).toBe(false);
    const part = join(stagingDir(modelsDir, 'sd15-tiny'), `${TEXT}.part`);
    const kept = statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(400_000);

    server.requests.length = 0;
    const r = await pullModel(entry, options(modelsDir));
    expectSameFiles(join(modelsDir, 'sd15-tiny'));
    expect(server.requests.filter((q) => q.path === TEXT).map((q) => [q.range, q.status])).toEqual([[`bytes=${kept}-`, 206]]);
    // Files verified before the interruption are not fetched again.
    const before = entry.files.findIndex((f) => f.path === TEXT);
    for (const f of entry.files.slice(0, before)) expect(server.requests.some((q) => q.path === f.path), f.path).toBe(false);
    expect(r.resumed).toEqual([TEXT]);
  });

  it('a weak ETag is not sent as If-Range (it could never match), so the resume still continues the part', async () => {
    const modelsDir = freshModelsDir();
    server.misbehave(UNET, { kind: 'drop-after', bytes: 250_000, weakEtag: true });
    await expect(pullModel(entry, options(modelsDir, { retries: 0 }))).rejects.toMatchObject({ code: 'network' });
    server.misbehave(UNET, { kind: 'weak-etag' });
    server.requests.length = 0;
    const r = await pullModel(entry, options(modelsDir));
    expectSameFiles(join(modelsDir, 'sd15-tiny'));
    const unet = server.requests.filter((q) => q.path === UNET);
    expect(unet).toHaveLength(1);
    expect(unet[0]!.ifRange).toBeUndefined();
    expect(unet[0]!.status).toBe(206);
    expect(r.resumed).toEqual([UNET]);
  });

  it('a server without range support sends the whole file again and the part restarts cleanly', async () => {
    const modelsDir = freshModelsDir();
    server.misbehave(UNET, { kind: 'drop-after', bytes: 250_000 });
    await expect(pullModel(entry, options(modelsDir, { retries: 0 }))).rejects.toMatchObject({ code: 'network' });
    const kept = statSync(join(stagingDir(modelsDir, 'sd15-tiny'), `${UNET}.part`)).size;
    expect(kept).toBeGreaterThan(0);
    server.misbehave(UNET, { kind: 'no-range' });
    server.requests.length = 0;
    const r = await pullModel(entry, options(modelsDir));
    expectSameFiles(join(modelsDir, 'sd15-tiny'));
    expect(server.requests.filter((q) => q.path === UNET).map((q) => [q.range, q.status])).toEqual([[`bytes=${kept}-`, 200]]);
    expect(r.restarted).toEqual([UNET]);
  });

  it('corrupted bytes fail the SHA-256 check: clear message, the file discarded, nothing placed', async () => {
    const modelsDir = freshModelsDir();
    server.misbehave(VAE, { kind: 'corrupt', at: 1000 });
    const err = await pullModel(entry, options(modelsDir)).catch((e: unknown) => e);
    expect((err as PullError).code).toBe('checksum');
    expect((err as Error).message).toMatch(/^vae_decoder\/model.onnx failed its SHA-256 check \(expected [0-9a-f]{12}…, got [0-9a-f]{12}…\); the download was discarded and nothing was placed$/);
    expect(existsSync(join(modelsDir, 'sd15-tiny'))).toBe(false);
    const staging = stagingDir(modelsDir, 'sd15-tiny');
    expect(existsSync(join(staging, VAE))).toBe(false);
    expect(existsSync(join(staging, `${VAE}.part`))).toBe(false);
    // A later pull with a healthy server completes, fetching only what is missing.
    server.misbehave(VAE, undefined);
    server.requests.length = 0;
    await pullModel(entry, options(modelsDir));
    expectSameFiles(join(modelsDir, 'sd15-tiny'));
    expect(server.requests.some((q) => q.path === UNET)).toBe(false);
  });

  it('a 404 fails a required file with the URL, and skips an optional one', async () => {
    const modelsDir = freshModelsDir();
    const withMissing: CatalogEntry = { ...entry, files: [...entry.files, { path: 'unet/extra.bin', size: null, approxBytes: 10, sha256: null }] };
    await expect(pullModel(withMissing, options(modelsDir))).rejects.toThrow(
      new RegExp(`^download failed: HTTP 404 Not Found for ${server.baseUrl}/atelier-test/sd15-tiny/resolve/main/unet/extra.bin$`),
    );
    expect(existsSync(join(modelsDir, 'sd15-tiny'))).toBe(false);

    const withOptional: CatalogEntry = { ...entry, files: [...entry.files, { path: 'unet/extra.bin', size: null, approxBytes: 10, sha256: null, optional: true }] };
    const r = await pullModel(withOptional, options(modelsDir));
    expect(r.skipped).toEqual(['unet/extra.bin']);
    expect(existsSync(join(modelsDir, 'sd15-tiny', 'unet', 'extra.bin'))).toBe(false);
  });

  it('a server error is retried; a server that keeps failing ends in one line', async () => {
    const modelsDir = freshModelsDir();
    server.misbehave(VAE, { kind: 'status', status: 503, times: 1 });
    await pullModel(entry, options(modelsDir));
    expect(server.requests.filter((q) => q.path === VAE).map((q) => q.status)).toEqual([503, 200]);

    const again = freshModelsDir();
    server.misbehave(VAE, { kind: 'status', status: 500 });
    await expect(pullModel(entry, options(again, { retries: 2 }))).rejects.toThrow(/^vae_decoder\/model.onnx: HTTP 500 from 127.0.0.1:\d+ \(gave up after 3 attempts; pull again to resume\)$/);
  });

  it('a gated file asks for HF_TOKEN in one line; with the token it downloads', async () => {
    const modelsDir = freshModelsDir();
    server.misbehave(VAE, { kind: 'require-token', token: 'hf_test' });
    await expect(pullModel(entry, options(modelsDir, { token: '' }))).rejects.toThrow(
      /^download failed: HTTP 401 for http:\/\/127\.0\.0\.1:\d+\/.*vae_decoder\/model.onnx \(a gated model: accept its licence on its page, then set HF_TOKEN\)$/,
    );
    await expect(pullModel(entry, options(modelsDir, { token: 'wrong' }))).rejects.toThrow(/the token in HF_TOKEN was refused/);
    await pullModel(entry, options(modelsDir, { token: 'hf_test' }));
    expectSameFiles(join(modelsDir, 'sd15-tiny'));
  });

  it('refuses to start when the disk is too full, before any request', async () => {
    const modelsDir = freshModelsDir();
    const err = await pullModel(entry, options(modelsDir, { freeBytes: async () => 3 * 2 ** 20 })).catch((e: unknown) => e);
    expect((err as PullError).code).toBe('disk-space');
    expect((err as Error).message).toMatch(/^not enough disk space in .*models-\d+: sd15-tiny needs [\d.]+ MiB more \(plus 64.0 MiB spare\), 3.00 MiB is free$/);
    expect(server.requests).toEqual([]);
    expect(existsSync(join(modelsDir, 'sd15-tiny'))).toBe(false);
  });

  it('cancels through an AbortSignal, keeps the part, and resumes later; discardPull forgets it', async () => {
    const modelsDir = freshModelsDir();
    const ac = new AbortController();
    const err = await pullModel(entry, options(modelsDir, {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.file === UNET && p.doneBytes > 0 && p.phase === 'downloading') ac.abort();
      },
    })).catch((e: unknown) => e);
    expect((err as PullError).code).toBe('cancelled');
    expect(existsSync(join(modelsDir, 'sd15-tiny'))).toBe(false);
    expect(existsSync(join(stagingDir(modelsDir, 'sd15-tiny'), `${UNET}.part`))).toBe(true);
    // The lock is released: the same pull can run again and completes.
    await pullModel(entry, options(modelsDir));
    expectSameFiles(join(modelsDir, 'sd15-tiny'));

    const other = freshModelsDir();
    const ac2 = new AbortController();
    ac2.abort();
    await expect(pullModel(entry, options(other, { signal: ac2.signal }))).rejects.toMatchObject({ code: 'cancelled' });
    await discardPull(other, 'sd15-tiny');
    expect(existsSync(stagingDir(other, 'sd15-tiny'))).toBe(false);
  });
});

describe('pullModel guards', () => {
  it('a second pull of the same model while one runs is refused; a lock left by a dead process is taken over', async () => {
    const modelsDir = freshModelsDir();
    const lock = `${stagingDir(modelsDir, 'sd15-tiny')}.lock`;
    mkdirSync(stagingDir(modelsDir, 'sd15-tiny'), { recursive: true });
    writeFileSync(lock, String(process.pid));
    await expect(pullModel(entry, options(modelsDir))).rejects.toThrow(`sd15-tiny is already being downloaded (process ${process.pid})`);
    await expect(discardPull(modelsDir, 'sd15-tiny')).rejects.toThrow(/already being downloaded/);
    writeFileSync(lock, '999999999');
    await pullModel(entry, options(modelsDir));
    expect(existsSync(lock)).toBe(false);
  });

  it.skipIf(!existsSync('/dev/full'))('a full disk while writing fails in one line and places nothing (the kernel\'s /dev/full answers ENOSPC)', async () => {
    const modelsDir = freshModelsDir();
    // A paused pull leaves a part; pointing it at /dev/full makes the next write fail as on a full disk.
    server.misbehave(UNET, { kind: 'drop-after', bytes: 100_000 });
    await expect(pullModel(entry, options(modelsDir, { retries: 0 }))).rejects.toMatchObject({ code: 'network' });
    server.misbehave(UNET, undefined);
    const part = join(stagingDir(modelsDir, 'sd15-tiny'), `${UNET}.part`);
    rmSync(part);
    rmSync(`${part}.json`);
    symlinkSync('/dev/full', part);
    const err = await pullModel(entry, options(modelsDir)).catch((e: unknown) => e);
    expect((err as PullError).code).toBe('disk-full');
    expect((err as Error).message).toMatch(/^disk full while writing unet\/model.onnx; .* kept for resuming$/);
    expect(existsSync(join(modelsDir, 'sd15-tiny'))).toBe(false);
  });

  it('a paused download of another revision is thrown away rather than mixed with the new one', async () => {
    const modelsDir = freshModelsDir();
    server.misbehave(UNET, { kind: 'drop-after', bytes: 100_000 });
    await expect(pullModel(entry, options(modelsDir, { retries: 0 }))).rejects.toMatchObject({ code: 'network' });
    server.requests.length = 0;
    // Same files under a new revision (the server maps any revision of this repo to the same folder).
    const server2 = await startTestModelServer(source, entry.source.repo, 'v2');
    try {
      const v2: CatalogEntry = { ...entry, source: { ...entry.source, revision: 'v2' } };
      const r = await pullModel(v2, { ...options(modelsDir), baseUrl: server2.baseUrl });
      expect(server2.requests.map((q) => q.path).sort()).toEqual(entry.files.map((f) => f.path).sort());
      expect(server2.requests.every((q) => q.range === undefined)).toBe(true);
      expect(r.resumed).toEqual([]);
      expect(existsSync(join(modelsDir, 'sd15-tiny', '.atelier-pull.json'))).toBe(false);
    } finally {
      await server2.close();
    }
  });

  it('a server length that contradicts the catalogue stops the pull before writing', async () => {
    const modelsDir = freshModelsDir();
    const wrong: CatalogEntry = { ...entry, files: entry.files.map((f) => (f.path === VAE ? { ...f, size: f.size! + 1 } : f)) };
    await expect(pullModel(wrong, options(modelsDir))).rejects.toThrow(/^vae_decoder\/model.onnx: the server offers \d+ bytes but the catalogue says \d+; nothing was placed$/);
    expect(existsSync(join(modelsDir, 'sd15-tiny'))).toBe(false);
  });
});

describe('proxies from the environment', () => {
  /** A minimal forward proxy: CONNECT tunnels and absolute-form GETs, counting what it carried. */
  async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      seen.push(`GET ${req.url}`);
      const up = httpRequest(req.url!, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    proxy.on('connect', (req, socket, head) => {
      seen.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? '').split(':');
      const up = connect(Number(port), host!, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => socket.destroy());
      socket.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      seen,
      close: () => new Promise<void>((r) => { proxy.closeAllConnections(); proxy.close(() => r()); }),
    };
  }

  it('HTTP_PROXY carries the pull; NO_PROXY bypasses it; no variables means a direct connection', async () => {
    const proxy = await startProxy();
    try {
      const viaProxy = freshModelsDir();
      await pullModel(entry, options(viaProxy, { dispatcher: dispatcherFromEnv({ HTTP_PROXY: proxy.url }) }));
      expectSameFiles(join(viaProxy, 'sd15-tiny'));
      expect(proxy.seen.length).toBeGreaterThan(0);
      expect(proxy.seen.every((l) => l.includes('127.0.0.1:'))).toBe(true);

      proxy.seen.length = 0;
      const bypass = freshModelsDir();
      await pullModel(entry, options(bypass, { dispatcher: dispatcherFromEnv({ https_proxy: proxy.url, http_proxy: proxy.url, NO_PROXY: '127.0.0.1' }) }));
      const direct = freshModelsDir();
      await pullModel(entry, options(direct, { dispatcher: dispatcherFromEnv({}) }));
      expect(proxy.seen).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
