import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeChannel } from './apiHandlers.js';
import { REAL_ENGINE, TEST_MODELS, testStudio, waitForEnd } from './testing/testStudio.js';

/**
 * The real engine in its worker: importing a model folder loads that model (inspect). It used to release
 * the model a running job was using ("Session already disposed"); now it waits its turn on the queue.
 */
describe('importing a model while a generation runs', () => {
  let t: ReturnType<typeof testStudio>;
  let folder: string;
  beforeAll(() => {
    t = testStudio(REAL_ENGINE);
    folder = join(mkdtempSync(join(tmpdir(), 'atelier-import-')), 'imported-inpaint');
    cpSync(join(TEST_MODELS, 'sd15-inpaint-tiny'), folder, { recursive: true });
  });
  afterAll(() => {
    t.dispose();
    rmSync(join(folder, '..'), { recursive: true, force: true });
  });

  it('the generation completes, then the import completes', async () => {
    const settings = { mode: 'txt2img', prompt: 'a red circle', negativePrompt: '', width: 64, height: 64, steps: 12, guidance: 7, scheduler: 'euler', seed: 3, batch: 1 };
    const started = await invokeChannel(t.studio.backend.handlers, 'generation:start', { modelId: 'sd15-tiny', settings });
    if (!started.ok) throw new Error(started.error.message);
    const { jobId } = started.value as { jobId: string };
    // Import once the job is really running (its model loaded, steps under way).
    const t0 = Date.now();
    while (!t.events.some((e) => e.event === 'generation:progress' && (e.payload as { jobId: string }).jobId === jobId)) {
      if (Date.now() - t0 > 60_000) throw new Error('the job never started');
      await new Promise((r) => setTimeout(r, 5));
    }
    let importedAt = 0;
    const imported = invokeChannel(t.studio.backend.handlers, 'models:import', { dir: folder }).then((r) => ((importedAt = t.events.length), r));
    const end = await waitForEnd(t.events, jobId);
    expect(end.event, JSON.stringify(end.payload)).toBe('generation:done');
    expect(await imported).toMatchObject({ ok: true, value: { id: 'imported-inpaint', alreadyListed: false } });
    // Everything the job reported (its done event included) came before the import answered.
    expect(importedAt).toBeGreaterThan(t.events.indexOf(end));
    expect((await invokeChannel(t.studio.backend.handlers, 'models:list', {})).ok).toBe(true);
  });
});
