import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { GenerationSettingsSchema } from '../electron/contract/generation.js';
import { Engine } from '../electron/core/engine/engine.js';
import { projectRoot } from '../electron/core/models/defaultModel.js';
import { readModelFolder } from '../electron/core/models/modelFolder.js';

/**
 * Engine overhead: per-step time of the full pipeline against a bare loop of the same UNet
 * `session.run` calls in the same process, plus cold/warm time to first image and peak RSS.
 */
export async function benchEngine(args: string[]): Promise<void> {
  const modelArg = args.indexOf('--model');
  const dir = modelArg >= 0 ? args[modelArg + 1]! : join(projectRoot(), 'native-models', '.bench', 'sd15-bench');
  if (!existsSync(dir)) {
    console.log(`no model at ${dir}: build it with  /usr/bin/python3 native-models/recipes/build_test_models.py --bench`);
    process.exitCode = 2;
    return;
  }
  const size = Number(args[args.indexOf('--size') + 1] ?? 256) || 256;
  const steps = 8;
  const layout = readModelFolder(dir);
  const settings = GenerationSettingsSchema.parse({
    mode: 'txt2img', prompt: 'a lighthouse at dusk', negativePrompt: 'blurry', width: size, height: size,
    steps, guidance: 7, scheduler: 'euler', seed: 1, batch: 1,
  });

  const engine = new Engine({ provider: 'cpu' });
  let t = performance.now();
  const cold = await engine.generate(dir, { settings });
  const coldMs = performance.now() - t;
  t = performance.now();
  await engine.generate(dir, { settings });
  const warmMs = performance.now() - t;

  // Bare loop: a separate session of the same UNet, same shapes, nothing around it.
  const session = await ort.InferenceSession.create(layout.unet.file, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  const h = size / 8;
  const meta = new Map(session.inputMetadata.flatMap((m) => (m.isTensor ? [[m.name, m] as const] : [])));
  const ehsDim = Number(meta.get('encoder_hidden_states')?.shape[2]) || 768;
  const ts = meta.get('timestep');
  const tsDims = ts?.shape.length === 0 ? [] : [ts?.shape[0] === 1 ? 1 : 2];
  const tsCount = tsDims.length === 0 ? 1 : tsDims[0]!;
  const feeds: Record<string, ort.Tensor> = {
    sample: new ort.Tensor('float32', new Float32Array(2 * 4 * h * h).map(() => Math.random()), [2, 4, h, h]),
    encoder_hidden_states: new ort.Tensor('float32', new Float32Array(2 * 77 * ehsDim).map(() => Math.random()), [2, 77, ehsDim]),
    timestep: ts?.type === 'int64'
      ? new ort.Tensor('int64', new BigInt64Array(tsCount).fill(500n), tsDims)
      : new ort.Tensor('float32', new Float32Array(tsCount).fill(500), tsDims),
  };
  await session.run(feeds); // warm-up

  const rounds = 3;
  const bare: number[] = [];
  const full: number[] = [];
  for (let r = 0; r < rounds; r++) {
    t = performance.now();
    for (let i = 0; i < steps; i++) await session.run(feeds);
    bare.push((performance.now() - t) / steps);
    const res = await engine.generate(dir, { settings });
    full.push(res.timings.denoiseMs / steps);
  }
  await session.release();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const bareMs = median(bare);
  const fullMs = median(full);
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;

  console.log(`\nEngine benchmark — ${layout.name}, ${size}×${size}, ${steps} steps, guidance 7 (UNet batch 2), CPU`);
  console.table([
    { metric: 'bare session.run per step (ms)', value: bareMs.toFixed(1) },
    { metric: 'pipeline per step (ms)', value: fullMs.toFixed(1) },
    { metric: 'engine overhead per step', value: `${(((fullMs - bareMs) / bareMs) * 100).toFixed(2)} %` },
    { metric: 'cold: load + first image (ms)', value: coldMs.toFixed(0) },
    { metric: '  of which loading sessions (ms)', value: cold.timings.loadMs.toFixed(0) },
    { metric: 'warm: first image (ms)', value: warmMs.toFixed(0) },
    { metric: 'model weights (MiB)', value: (layout.weightBytes / 2 ** 20).toFixed(1) },
    { metric: 'peak RSS (MiB)', value: peakRssMiB.toFixed(0) },
    { metric: 'peak RSS / weights', value: (peakRssMiB / (layout.weightBytes / 2 ** 20)).toFixed(2) },
  ]);
  await engine.release();
}
