import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiResponses } from '../../contract/api.js';
import { runCli } from '../../host/cli.js';
import { projectRoot } from '../models/defaultModel.js';
import { invokeChannel } from './apiHandlers.js';
import { REAL_ENGINE, TEST_MODELS, testStudio } from './testing/testStudio.js';

afterEach(() => vi.unstubAllEnvs());

type Estimate = { ok: true; value: ApiResponses['models:estimate'] } | { ok: false; error: { message: string; code: string } };
const estimator = (t: ReturnType<typeof testStudio>) => async (payload: unknown) =>
  (await invokeChannel(t.studio.backend.handlers, 'models:estimate', payload)) as Estimate;

describe('models:estimate (the label beside Generate and in the Models dialog): the engine\'s own check, asked ahead', () => {
  const t = testStudio(REAL_ENGINE);
  afterAll(() => t.dispose());
  const call = estimator(t);

  it('says what a job needs against what is free', async () => {
    const r = await call({ modelId: 'sd15-tiny', width: 512, height: 512 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ fits: true, device: 'cpu' });
    expect(r.value.summary).toMatch(/^≈\d+\.\d GB of \d+\.\d GB free$/);
    expect(r.value.neededBytes).toBeGreaterThan(0);
  });

  it("counts the job's ControlNets as the engine's own check does, and names one that is not installed", async () => {
    const plain = await call({ modelId: 'sd15-tiny', width: 512, height: 512 });
    const one = await call({ modelId: 'sd15-tiny', width: 512, height: 512, controlNets: ['controlnet-sd15-tiny'] });
    const two = await call({ modelId: 'sd15-tiny', width: 512, height: 512, controlNets: ['controlnet-sd15-tiny', 'controlnet-sd15-tiny-b'] });
    if (!plain.ok || !one.ok || !two.ok) throw new Error('estimates failed');
    expect(one.value.neededBytes).toBeGreaterThan(plain.value.neededBytes);
    expect(two.value.neededBytes).toBeGreaterThan(one.value.neededBytes);
    expect(await call({ modelId: 'sd15-tiny', width: 512, height: 512, controlNets: ['no-such-controlnet'] }))
      .toMatchObject({ ok: false, error: { message: 'There is no ControlNet named "no-such-controlnet".' } });
  });

  it("hands the job's LoRAs to the engine's check: one it cannot merge gets the job's own sentence; one not in the library is named", async () => {
    // (What a merge holds is counted in memoryEstimate.test.ts; the tiny models' merges are too small to move the peak.)
    mkdirSync(join(t.dataDir, 'loras'), { recursive: true });
    for (const name of ['sd15-peft', 'sd15-loha']) copyFileSync(join(projectRoot(), 'native-models', 'test-loras', `${name}.safetensors`), join(t.dataDir, 'loras', `${name}.safetensors`));
    const plain = await call({ modelId: 'sd15-tiny', width: 64, height: 64 });
    const withLora = await call({ modelId: 'sd15-tiny', width: 64, height: 64, loras: [{ name: 'sd15-peft', strength: 0.8 }] });
    if (!plain.ok || !withLora.ok) throw new Error('estimates failed');
    expect(withLora.value.neededBytes).toBeGreaterThanOrEqual(plain.value.neededBytes);
    expect(await call({ modelId: 'sd15-tiny', width: 64, height: 64, loras: [{ name: 'sd15-loha', strength: 1 }] }))
      .toMatchObject({ ok: false, error: { message: 'LoRA "sd15-loha" is a LoHa file, which Atelier cannot merge yet (only LoRA and LoCon layers)' } });
    expect(await call({ modelId: 'sd15-tiny', width: 64, height: 64, loras: [{ name: 'nope', strength: 1 }] }))
      .toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/^There is no LoRA named "nope"/) } });
  });

  it('refuses bad payloads and unknown models', async () => {
    expect((await call({ modelId: 'sd15-tiny', width: 10, height: 512 })).ok).toBe(false);
    expect(await call({ modelId: 'no-such-model', width: 512, height: 512 })).toMatchObject({ ok: false });
  });
});

describe('models:estimate on a (faked) small machine', () => {
  it('gives the sentence the engine would refuse the job with', async () => {
    // Set before the engine thread starts: it reads the variable as the engine's own check does.
    vi.stubEnv('ATELIER_FREE_MEMORY', '40MB');
    const t = testStudio(REAL_ENGINE);
    try {
      const r = await estimator(t)({ modelId: 'sd15-tiny', width: 512, height: 512 });
      expect(r.ok && r.value.fits).toBe(false);
      expect(r.ok && r.value.sentence).toMatch(/^needs ≈\d+\.\d GB, 0\.0 GB free: /);
    } finally {
      t.dispose();
    }
  });
});

describe('cli generate on a (faked) small machine', () => {
  it('refuses with one sentence before loading the model', async () => {
    vi.stubEnv('ATELIER_FREE_MEMORY', '40MB');
    const err: string[] = [];
    const code = await runCli(['generate', '--model', `${TEST_MODELS}/sd15-tiny`, '--prompt', 'a fox', '--width', '64', '--height', '64', '--steps', '2', '--no-history', '--out', '/tmp/never-written.png'], {
      out: () => undefined,
      err: (l) => err.push(l),
    });
    expect(code).not.toBe(0);
    expect(err.join('\n')).toMatch(/needs ≈\d+\.\d GB, 0\.0 GB free: close other programs or use a smaller model/);
  });
});
