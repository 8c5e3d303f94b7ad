import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { EngineHost, JobError } from './engineHost.js';
import { threadSpawner } from './threadSpawner.js';
import type { GenerateRequest, StepProgress } from '../engine/types.js';

const scripted = fileURLToPath(new URL('./testing/scriptedEngine.ts', import.meta.url));

function request(prompt: string, steps = 3): GenerateRequest {
  return {
    settings: { mode: 'txt2img', prompt, negativePrompt: '', width: 64, height: 64, steps, guidance: 7, scheduler: 'euler', seed: 42, batch: 1, strength: 0.75, maskFeather: 4 },
    previewEvery: 1,
  };
}

describe('EngineHost over a worker thread', () => {
  let host: EngineHost;
  afterEach(() => host?.dispose());

  it('runs a job with progress and exactly one result', async () => {
    host = new EngineHost(threadSpawner({ engineModule: scripted }));
    const progress: StepProgress[] = [];
    const result = await host.generate('j1', '/m', request('a cat'), (p) => progress.push(p));
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3]);
    expect(progress[0].preview?.data.length).toBe(256);
    expect(result.images[0].image.width).toBe(64);
    expect(result.images[0].image.data[0]).toBe(42);
  });

  it('cancels the running job by id and a queued one without running it', async () => {
    host = new EngineHost(threadSpawner({ engineModule: scripted }));
    const running = host.generate('run', '/m', request('slow', 40)).catch((e: unknown) => e);
    const queued = host.generate('queued', '/m', request('a dog')).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    expect(host.cancel('queued')).toBe(true);
    expect(host.cancel('run')).toBe(true);
    expect(host.cancel('unknown')).toBe(false);
    expect(await running).toMatchObject({ code: 'cancelled' });
    expect(await queued).toMatchObject({ code: 'cancelled' });
  });

  it('reports engine errors as one readable line', async () => {
    host = new EngineHost(threadSpawner({ engineModule: scripted }));
    await expect(host.generate('f', '/m', request('fail'))).rejects.toThrow('The model folder has no unet/model.onnx.');
  });

  it('fails the job when the engine dies, restarts it, and runs the next job', async () => {
    host = new EngineHost(threadSpawner({ engineModule: scripted }));
    const crashed = host.generate('c', '/m', request('crash'));
    const next = host.generate('n', '/m', request('after'));
    const err = await crashed.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).code).toBe('engine-crashed');
    expect((err as JobError).message).toMatch(/engine stopped unexpectedly \(exited with code 7\)/);
    const ok = await next;
    expect(ok.images).toHaveLength(1);
    expect(host.starts).toBe(2);
  });

  it('answers tokenize calls', async () => {
    host = new EngineHost(threadSpawner({ engineModule: scripted }));
    await expect(host.tokenize('/m', 'a red fox')).resolves.toMatchObject({ tokenCount: 3, maxTokens: 75 });
  });

  it('queues a model inspect behind the running job (an import never unloads its model), while tokenize answers at once', async () => {
    host = new EngineHost(threadSpawner({ engineModule: scripted }));
    const order: string[] = [];
    const job = host.generate('long', '/m', request('slow', 6)).then(() => order.push('job'));
    const inspected = host.inspect('/other').then(() => order.push('inspect'));
    await host.tokenize('/m', 'a fox').then(() => order.push('tokenize'));
    await Promise.all([job, inspected]);
    expect(order).toEqual(['tokenize', 'job', 'inspect']);
  });
});
