import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { invokeChannel } from './apiHandlers.js';
import { catalogEntryForFolder, startTestModelServer, type TestModelServer } from '../models/testing/testModelServer.js';
import { REAL_ENGINE, TEST_MODELS, testStudio, waitForEnd } from './testing/testStudio.js';

/**
 * A preview decoder (TAESD) pulled in the Models dialog while the app runs: the dialog shows it installed,
 * and the next generation's step previews come from it, without a restart. The tiny model's VAE decoder
 * stands in for TAESD (same folder layout and latent input): its previews are 128 px, the built-in
 * linear ones are latent-sized (40 px at 320²).
 */
const TINY = join(TEST_MODELS, 'sd15-tiny');
const settings = { mode: 'txt2img', prompt: 'a red circle', negativePrompt: '', width: 320, height: 320, steps: 3, guidance: 1, scheduler: 'euler', seed: 3, batch: 1, strength: 1, maskFeather: 4 };

describe('a preview decoder pulled while the app runs', () => {
  let server: TestModelServer;
  let catalogDir: string;
  let t: ReturnType<typeof testStudio>;
  const previewWidths = new Map<string, number[]>();

  beforeAll(async () => {
    server = await startTestModelServer(TINY, 'atelier-test/taesd');
    catalogDir = mkdtempSync(join(tmpdir(), 'atelier-taesd-catalog-'));
    const base = catalogEntryForFolder(TINY, 'taesd-test', 'atelier-test/taesd');
    const entry = { ...base, kind: 'preview-vae', recommended: null, files: base.files.filter((f) => f.path.startsWith('vae_decoder/')) };
    writeFileSync(join(catalogDir, 'catalog.json'), JSON.stringify({ type: 'atelier-model-catalog', version: 1, models: [entry] }));
    vi.stubEnv('ATELIER_MODELS_CATALOG', join(catalogDir, 'catalog.json'));
    vi.stubEnv('ATELIER_MODELS_BASE_URL', server.baseUrl);
    t = testStudio(REAL_ENGINE, (event, payload) => {
      const p = payload as { jobId: string; previewUrl?: string };
      if (event !== 'generation:progress' || !p.previewUrl) return;
      const png = t.studio.backend.preview(p.jobId);
      if (png) previewWidths.set(p.jobId, [...(previewWidths.get(p.jobId) ?? []), png.readUInt32BE(16)]);
    });
  });
  afterAll(async () => {
    t.dispose();
    vi.unstubAllEnvs();
    await server.close();
    rmSync(catalogDir, { recursive: true, force: true });
  });

  const call = async (channel: string, payload: unknown) => {
    const r = await invokeChannel(t.studio.backend.handlers, channel, payload);
    if (!r.ok) throw new Error(r.error.message);
    return r.value as Record<string, unknown>;
  };
  const generate = async () => {
    const { jobId } = (await call('generation:start', { modelId: 'sd15-tiny', settings })) as { jobId: string };
    expect((await waitForEnd(t.events, jobId, 120_000)).event).toBe('generation:done');
    return previewWidths.get(jobId) ?? [];
  };

  it('shows as installed under its catalogue id, and the next job previews through it', async () => {
    const before = await generate();
    expect(before.length).toBeGreaterThan(0);
    expect(new Set(before)).toEqual(new Set([40]));
    const row = () => (call('models:library', {}) as Promise<{ catalogue: Array<{ id: string; installedId?: string }> }>).then((l) => l.catalogue.find((c) => c.id === 'taesd-test'));
    expect(await row()).not.toHaveProperty('installedId');

    const { jobId } = (await call('models:pull', { catalogId: 'taesd-test' })) as { jobId: string };
    for (const start = Date.now(); !t.events.some((e) => (e.event === 'models:done' || e.event === 'models:failed') && (e.payload as { jobId: string }).jobId === jobId);) {
      if (Date.now() - start > 30_000) throw new Error('the pull did not end');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(t.events.find((e) => e.event === 'models:done')).toBeDefined();
    expect(await row()).toMatchObject({ installedId: 'taesd-test' });

    const after = await generate();
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after)).toEqual(new Set([128]));
  });
});
