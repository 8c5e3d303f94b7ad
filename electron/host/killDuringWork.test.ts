import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readDocumentFile } from '../core/document/documentFile.js';
import { openHistoryStore } from '../core/store/historyStore.js';

/** Process-level: SIGKILL in the middle of real work leaves the history and the document files readable. */

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const SAVER = fileURLToPath(new URL('./testing/docSaver.testutil.ts', import.meta.url));
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

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const t = Date.now();
  while (!check()) {
    if (Date.now() - t > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
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

  it('a save killed mid-write (the code serve runs): every document file reads back, the last good save survives', async () => {
    const data = mkdtempSync(join(tmpdir(), 'atelier-kill-save-'));
    dirs.push(data);
    const saver = run([SAVER, data]);
    let out = '';
    saver.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => out.includes('SAVED'), 'the first save');
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 200));
    saver.kill('SIGKILL');
    await exited(saver);
    const saved = await readDocumentFile(join(data, 'documents', 'killed.atelier'));
    expect(saved.document.name).toMatch(/^killed \d+$/);
    expect(saved.images.size).toBe(1);
    const recovery = readdirSync(join(data, 'recovery')).filter((f) => !f.startsWith('.'));
    for (const f of recovery) expect((await readDocumentFile(join(data, 'recovery', f))).document.name).toMatch(/^autosaved \d+$/);
    // Half-written temp files are dot-files the library never lists.
    expect(readdirSync(join(data, 'documents')).filter((f) => !f.startsWith('.'))).toEqual(['killed.atelier']);
  }, 120_000);
});
