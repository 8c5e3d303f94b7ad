import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { buildSampleDocument } from '../../core/export/fixtures/sampleDocument.js';
import { packDocument } from '../../core/document/documentFile.js';
import { pngHead, zerosAfter, zipOf, type DeflatedEntry } from './bombs.js';
import { ServeUnderTest, type ApiClient } from './serveProbe.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSparseModel } from './sparseModel.js';

/**
 * Security suite, part 2: what a client uploads. Oversized bodies are refused from their
 * Content-Length before a byte is read; 1 MB zip bombs (.atelier, .ora) that inflate to 1 GiB are
 * refused while inflating, with serve's peak resident memory measured (≤ 300 MB above its baseline).
 * Each probe runs while a real generation is under way, which completes afterwards.
 */

const MB = 1 << 20;
let serve: ServeUnderTest;
let client: ApiClient;
let gib: DeflatedEntry;
const models = mkdtempSync(join(tmpdir(), 'atelier-sparse-'));

beforeAll(async () => {
  writeSparseModel(join(models, 'sparse-model'));
  serve = await ServeUnderTest.start(['--models', models]);
  client = await serve.api();
  // Warm up: the model is loaded, so the baseline includes the engine.
  expect(await client.ended(await client.startGeneration(4))).toBe('generation:done');
  gib = await zerosAfter(new Uint8Array(), 256);
});
afterAll(async () => {
  client?.close();
  await serve?.stop();
  rmSync(models, { recursive: true, force: true });
});

/** Runs `attack` during a generation; resolves with serve's peak RSS growth over its baseline, in bytes. */
async function underGeneration(attack: () => Promise<void>): Promise<number> {
  const stopSampling = serve.samplePeak();
  const jobId = await client.startGeneration();
  await attack();
  const growth = stopSampling();
  expect(serve.alive, `serve exited:\n${serve.log}`).toBe(true);
  expect((await serve.http('/index.html')).status).toBe(200);
  expect(await client.ended(jobId)).toBe('generation:done');
  return growth;
}

/** Sends only the request head (with its Content-Length) and resolves with the status line serve answers. */
function headOnly(path: string, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(serve.port, '127.0.0.1');
    let answer = '';
    socket.on('error', reject);
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.split('\r\n')[0]);
      }
    });
    socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nCookie: ${serve.cookie}\r\nContent-Length: ${length}\r\n\r\n`);
  });
}

async function importFile(name: string, bytes: Buffer): Promise<{ status: number; message: string }> {
  const r = await serve.http(`/import?name=${encodeURIComponent(name)}`, { method: 'POST', body: bytes });
  const body = JSON.parse(r.body.toString()) as { ok: boolean; error?: { message: string } };
  return { status: r.status, message: body.error?.message ?? '' };
}

describe('oversized bodies are refused before they are read', () => {
  it.each([
    ['/upload', 300 * MB, 'larger than 256 MiB'],
    ['/import?name=big.atelier', 3 * 1024 * MB, 'larger than 2 GiB'],
  ])('%s with Content-Length %i → 413 with no body sent', async (path, length) => {
    await underGeneration(async () => {
      expect(await headOnly(path, length)).toBe('HTTP/1.1 413 Payload Too Large');
    });
  });
});

describe('zip bombs are refused while inflating, in bounded memory', () => {
  const ORA_MIME = { name: 'mimetype', stored: Buffer.from('image/openraster') };
  const stack = (w: number, h: number) => Buffer.from(`<?xml version="1.0"?><image w="${w}" h="${h}"><stack><layer name="bomb" src="data/a.png" x="0" y="0"/></stack></image>`);

  it.each([
    ['.atelier whose document.json inflates to 1 GiB', 'bomb.atelier', /document\.json is too large/, () => zipOf([
      { name: 'mimetype', stored: Buffer.from('application/x-atelier-document') }, { name: 'document.json', deflated: gib },
    ])],
    ['.atelier with an unreferenced 1 GiB image', 'bomb.atelier', null, async () => {
      const sample = await buildSampleDocument();
      const real = await import('fflate').then((f) => f.unzipSync(packDocument(sample.document, sample.images)));
      return zipOf([...Object.entries(real).map(([name, stored]) => ({ name, stored })), { name: `images/${'a'.repeat(64)}.png`, deflated: gib }]);
    }],
    ['.ora whose 64x64 layer PNG inflates to 1 GiB', 'bomb.ora', /more than its header allows|would inflate to more than/, async () => zipOf([
      ORA_MIME, { name: 'stack.xml', stored: stack(64, 64) }, { name: 'data/a.png', deflated: await zerosAfter(pngHead(64, 64), 256) },
    ])],
    ['.ora whose layer PNG claims 16384x16384 on a 64x64 canvas', 'bomb.ora', /would inflate to more than/, async () => zipOf([
      ORA_MIME, { name: 'stack.xml', stored: stack(64, 64) }, { name: 'data/a.png', deflated: await zerosAfter(pngHead(16384, 16384), 256) },
    ])],
  ])('%s', async (name, file, refusal, build) => {
    const bomb = await build();
    expect(bomb.length).toBeLessThan(1.2 * MB);
    let answer = { status: 0, message: '' };
    const growth = await underGeneration(async () => {
      answer = await importFile(file, bomb);
    });
    if (refusal) {
      expect(answer.status).toBe(400);
      expect(answer.message).toMatch(refusal);
      expect(answer.message).not.toContain('\n');
    } else {
      expect(answer.status, answer.message).toBe(200);
    }
    console.log(`${name}: HTTP ${answer.status}, serve's peak RSS +${Math.round(growth / MB)} MB`);
    expect(growth, `peak RSS grew by ${Math.round(growth / MB)} MB`).toBeLessThan(300 * MB);
  });
});

describe('model folders', () => {
  it('a model whose 4 GiB weights file is sparse is refused in one sentence, in bounded memory', async () => {
    let outcome = '';
    const growth = await underGeneration(async () => {
      const r = await client.call<{ jobId: string }>('generation:start', {
        modelId: 'sparse-model',
        settings: { mode: 'txt2img', prompt: 'x', width: 64, height: 64, steps: 1, guidance: 1, scheduler: 'euler', seed: 1 },
      });
      outcome = r.ok && r.value ? await client.ended(r.value.jobId) : `refused: ${r.error?.message}`;
    });
    console.log(`sparse model: ${outcome}; serve's peak RSS +${Math.round(growth / MB)} MB`);
    expect(outcome).toMatch(/(failed|refused): .*is sparse: 4\.3 GB long but only 0\.0 GB on disk/);
    expect(growth).toBeLessThan(300 * MB);
  });
});
