import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { GenerationSettingsSchema } from '../electron/contract/generation.js';
import { Engine } from '../electron/core/engine/engine.js';
import { OnnxPart } from '../electron/core/engine/onnx/part.js';
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

  // Bare loop: a separate session of the same UNet fed exactly the tensors the pipeline fed it
  // (captured from one run), with nothing around the calls.
  const captured: Array<Record<string, ort.Tensor>> = [];
  const originalRun = OnnxPart.prototype.run;
  OnnxPart.prototype.run = function (this: OnnxPart, feeds, fetches) {
    if (this.file === layout.unet.file) captured.push(feeds);
    return originalRun.call(this, feeds, fetches);
  };
  await engine.generate(dir, { settings });
  OnnxPart.prototype.run = originalRun;
  const session = await ort.InferenceSession.create(layout.unet.file, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  await session.run(captured[0]!); // warm-up
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 4);
  const bare: number[] = [];
  const full: number[] = [];
  for (let r = 0; r < rounds; r++) {
    t = performance.now();
    for (const feeds of captured) await session.run(feeds);
    bare.push((performance.now() - t) / steps);
    const res = await engine.generate(dir, { settings });
    full.push(res.timings.denoiseMs / steps);
  }
  await session.release();
  // The fastest round of each is the one least disturbed by other work on the machine.
  const bareMs = Math.min(...bare);
  const fullMs = Math.min(...full);
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;

  console.log(`\nEngine benchmark — ${layout.name}, ${size}×${size}, ${steps} steps, guidance 7 (UNet batch 2), CPU`);
  console.table([
    { metric: `bare session.run per step (ms, best of ${rounds})`, value: bareMs.toFixed(1) },
    { metric: `pipeline per step (ms, best of ${rounds})`, value: fullMs.toFixed(1) },
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
