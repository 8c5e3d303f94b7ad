import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ApiResponses } from '../../contract/api.js';
import { runCli } from '../../host/cli.js';
import { invokeChannel } from './apiHandlers.js';
import { TEST_MODELS, testStudio } from './testing/testStudio.js';

const saved = process.env['ATELIER_FREE_MEMORY'];
afterEach(() => {
  if (saved === undefined) delete process.env['ATELIER_FREE_MEMORY'];
  else process.env['ATELIER_FREE_MEMORY'] = saved;
});

describe('models:estimate (the label beside Generate and in the Models dialog)', () => {
  const t = testStudio();
  afterAll(() => t.dispose());
  const call = async (payload: unknown) => {
    const r = await invokeChannel(t.studio.backend.handlers, 'models:estimate', payload);
    return r as { ok: true; value: ApiResponses['models:estimate'] } | { ok: false; error: { message: string; code: string } };
  };

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

  it('gives the refusal sentence on a (faked) small machine, and refuses bad payloads and unknown models', async () => {
    process.env['ATELIER_FREE_MEMORY'] = '40MB';
    const r = await call({ modelId: 'sd15-tiny', width: 512, height: 512 });
    expect(r.ok && r.value.fits).toBe(false);
    expect(r.ok && r.value.sentence).toMatch(/^needs ≈\d+\.\d GB, 0\.0 GB free: /);
    expect((await call({ modelId: 'sd15-tiny', width: 10, height: 512 })).ok).toBe(false);
    expect(await call({ modelId: 'no-such-model', width: 512, height: 512 })).toMatchObject({ ok: false });
  });
});

describe('cli generate on a (faked) small machine', () => {
  it('refuses with one sentence before loading the model', async () => {
    process.env['ATELIER_FREE_MEMORY'] = '40MB';
    const err: string[] = [];
    const code = await runCli(['generate', '--model', `${TEST_MODELS}/sd15-tiny`, '--prompt', 'a fox', '--width', '64', '--height', '64', '--steps', '2', '--no-history', '--out', '/tmp/never-written.png'], {
      out: () => undefined,
      err: (l) => err.push(l),
    });
    expect(code).not.toBe(0);
    expect(err.join('\n')).toMatch(/needs ≈\d+\.\d GB, 0\.0 GB free: close other programs or use a smaller model/);
  });
});
