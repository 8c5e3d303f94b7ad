import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readDocumentFile } from '../core/document/documentFile.js';
import { openHistoryStore } from '../core/store/historyStore.js';
import { ServeUnderTest } from './security/serveProbe.js';

/** Process-level: SIGKILL in the middle of real work leaves the history and the document files readable. */

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const TINY = fileURLToPath(new URL('../../native-models/test-models/sd15-tiny', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(args: string[]): ChildProcess {
  // `node --import tsx` keeps it one process, so SIGKILL hits the worker itself.
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

async function until(check: () => boolean, what: string, ms = 60_000, everyMs = 25): Promise<void> {
  const t = Date.now();
  while (!check()) {
    if (Date.now() - t > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const versionOf = (name: string) => Number(/^kept v(\d+)$/.exec(name)?.[1] ?? NaN);

/** A PNG of noise (stored, not deflated) so packing it is real work. */
function noisePng(size: number): Promise<Buffer> {
  return sharp(randomBytes(size * size * 3), { raw: { width: size, height: size, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
}

describe('kill -9 in the middle of work', () => {
  it('the CLI killed mid-generation: the history opens, the finished entry and its image are intact, the killed one is not done', async () => {
    const data = mkdtempSync(join(tmpdir(), 'atelier-kill-cli-'));
    dirs.push(data);
    const base = ['generate', '--model', TINY, '--provider', 'cpu', '--data', data, '--quiet', '--width', '64', '--height', '64'];
    const first = run([CLI, ...base, '--prompt', 'kept', '--steps', '2', '--seed', '1', '--out', join(data, 'kept.png')]);
    await exited(first);
    expect(first.exitCode).toBe(0);
    const killed = run([CLI, ...base, '--prompt', 'killed', '--steps', '200', '--width', '256', '--height', '256', '--out', join(data, 'killed.png')]);
    // Kill once its entry is written as running (the engine is then loading or denoising).
    await until(() => {
      const s = openHistoryStore(data);
      try {
        return s.list({ status: 'running' }).entries.length > 0;
      } finally {
        s.close();
      }
    }, 'the running entry');
    await new Promise((r) => setTimeout(r, 300));
    killed.kill('SIGKILL');
    await exited(killed);

    const store = openHistoryStore(data);
    try {
      const entries = store.list().entries;
      const kept = entries.find((e) => e.settings.prompt === 'kept')!;
      expect(kept).toMatchObject({ status: 'done', origin: 'cli' });
      expect(store.images.has(kept.images[0].imageId)).toBe(true);
      const victim = entries.find((e) => e.settings.prompt === 'killed')!;
      expect(victim.status).not.toBe('done');
      expect(['running', 'interrupted']).toContain(victim.status);
    } finally {
      store.close();
    }
  }, 120_000);

  it('serve killed (kill -9) mid-save and mid-autosave at several points: the history and every saved file read back, a restarted serve opens and offers them', async () => {
    let serve = await ServeUnderTest.start();
    const folder = join(serve.dataDir, '..');
    const data = serve.dataDir;
    try {
      let client = await serve.api();
      // The history gets one finished generation (the engine loads meanwhile).
      const finished = await client.startGeneration(2);
      // Three noisy 1024² layers (9 MB of PNG) so each pack takes long enough to be killed inside.
      const layers: { id: string; imageId: string; [k: string]: unknown }[] = [];
      for (let i = 0; i < 3; i++) {
        const up = await serve.http('/upload', { method: 'POST', body: await noisePng(1024) });
        const { imageId } = (JSON.parse(up.body.toString()) as { value: { imageId: string } }).value;
        layers.push({ id: `layer-${i}`, kind: 'raster', name: `noise ${i}`, imageId, x: 0, y: 0, width: 1024, height: 1024, opacity: 1, visible: true, blendMode: 'normal' });
      }
      const docAt = (name: string) => ({
        type: 'atelier-document', version: 1, id: 'd1', name, width: 1024, height: 1024,
        generationFrame: { x: 0, y: 0, width: 512, height: 512 }, layers, historyEntryIds: [],
      });
      // Saved once and never touched again: every later kill must leave it as it was.
      expect((await client.call('documents:save', { name: 'other', document: docAt('other') })).ok).toBe(true);
      // A good kept.atelier that no half-written save may replace.
      expect((await client.call('documents:save', { name: 'kept', document: docAt('kept v0') })).ok).toBe(true);
      expect(await client.ended(finished)).toBe('generation:done');

      // The kill points: a save's temp file being written, an autosave's temp file, and plain time.
      const tempIn = (dir: string, name: string) => (): boolean => readdirSafe(join(data, dir)).some((f) => f.startsWith(`.${name}.`) && f.endsWith('.tmp'));
      const points: [string, (startedAt: number) => boolean, (() => boolean)?][] = [
        ['a save is writing kept.atelier', tempIn('documents', 'kept.atelier'), tempIn('documents', 'kept.atelier')],
        ['an autosave is writing the recovery file', tempIn('recovery', 'autosave.atelier'), tempIn('recovery', 'autosave.atelier')],
        ['250 ms into the saves', (startedAt) => Date.now() > startedAt + 250],
      ];
      let version = 0;
      for (const [round, [point, reached, halfWritten]] of points.entries()) {
        // As the app does: a generation running, Save of state n while autosave already writes state n + 1.
        await client.startGeneration(200);
        const acked = { save: -1, autosave: -1 };
        let requested = version;
        let stopped = false;
        void (async () => {
          while (!stopped) {
            const n = ++version;
            requested = n + 1;
            version = n + 1;
            const save = client.call('documents:save', { name: 'kept', document: docAt(`kept v${n}`) }).then((r) => r.ok && (acked.save = Math.max(acked.save, n)));
            const auto = client.call('documents:autosave', { document: docAt(`kept v${n + 1}`) }).then((r) => r.ok && (acked.autosave = Math.max(acked.autosave, n + 1)));
            await Promise.all([save, auto]);
          }
        })();
        const startedAt = Date.now();
        await until(() => reached(startedAt), point, 30_000, 2);
        await serve.kill9();
        // The kill landed inside the write: its temp file is still there (and must not count as the document).
        if (halfWritten) expect(halfWritten(), `${point}: killed mid-write`).toBe(true);
        stopped = true;
        const lastAcked = Math.max(acked.save, acked.autosave);

        // On disk, serve down: the history opens with the finished entry and its image; the killed job is not done.
        const store = openHistoryStore(data);
        try {
          const entries = store.list().entries;
          expect(entries.length).toBe(round + 2);
          const done = entries.find((e) => e.settings.steps === 2)!;
          expect(done.status).toBe('done');
          expect(store.images.has(done.images[0].imageId)).toBe(true);
          for (const e of entries.filter((x) => x.settings.steps === 200)) expect(['running', 'interrupted', 'done']).toContain(e.status);
        } finally {
          store.close();
        }
        // Only whole documents are listed (a half-written one is a dot-file temp), and each reads back with its images.
        expect(readdirSafe(join(data, 'documents')).filter((f) => !f.startsWith('.')).sort(), point).toEqual(['kept.atelier', 'other.atelier']);
        expect((await readDocumentFile(join(data, 'documents', 'other.atelier'))).document.name).toBe('other');
        const kept = await readDocumentFile(join(data, 'documents', 'kept.atelier'));
        expect(kept.images.size).toBe(3);
        const keptVersion = versionOf(kept.document.name);
        expect(keptVersion, point).toBeGreaterThanOrEqual(acked.save);
        expect(keptVersion).toBeLessThanOrEqual(requested);
        const recoveryFile = join(data, 'recovery', 'autosave.atelier');
        const recovered = existsSync(recoveryFile) ? await readDocumentFile(recoveryFile) : null;
        const recoveredVersion = recovered ? versionOf(recovered.document.name) : -1;
        expect(recoveredVersion).toBeLessThanOrEqual(requested);
        // Nothing that had been saved or autosaved is lost: the newest acknowledged state is on disk, or a newer one.
        expect(Math.max(keptVersion, recoveredVersion), `${point}: acked ${JSON.stringify(acked)}`).toBeGreaterThanOrEqual(lastAcked);

        // A restarted serve on the same folder lists and opens both documents and offers the recovery file.
        serve = await ServeUnderTest.start([], folder);
        client = await serve.api();
        const list = await client.call<{ documents: { name: string }[] }>('documents:list', {});
        expect(list.value!.documents.map((d) => d.name).sort()).toEqual(['kept', 'other']);
        const opened = await client.call<{ document: { name: string } }>('documents:open', { name: 'kept' });
        expect(opened.value!.document.name).toBe(kept.document.name);
        const offered = await client.call<{ document: { name: string } | null }>('documents:recover', { discard: false });
        expect(offered.value!.document?.name ?? null).toBe(recovered?.document.name ?? null);
        for (const layer of layers) expect((await serve.http(`/images/${layer.imageId}.png`)).status).toBe(200);
      }
      client.close();
    } finally {
      await serve.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 180_000);
});
