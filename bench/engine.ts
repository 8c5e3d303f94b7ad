import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GenerationSettingsSchema } from '../electron/contract/generation.js';
import { Engine } from '../electron/core/engine/engine.js';
import { OnnxPart } from '../electron/core/engine/onnx/part.js';
import { projectRoot } from '../electron/core/models/defaultModel.js';
import { readModelFolder } from '../electron/core/models/modelFolder.js';

/**
 * `npm run bench -- engine [--model DIR] [--size N] [--steps N] [--rounds N] [--no-warm]`
 * Engine overhead: per-step time of the full pipeline against a bare loop of the same UNet
 * `session.run` calls in the same process, plus cold/warm time to first image and peak RSS.
 */
export async function benchEngine(args: string[]): Promise<void> {
  const modelArg = args.indexOf('--model');
  // Absolute, as the engine resolves it: the paired call is matched on the UNet's file path.
  const dir = resolve(modelArg >= 0 ? args[modelArg + 1]! : join(projectRoot(), 'native-models', '.bench', 'sd15-bench'));
  if (!existsSync(dir)) {
    console.log(`no model at ${dir}: build it with  /usr/bin/python3 native-models/recipes/build_test_models.py --bench`);
    process.exitCode = 2;
    return;
  }
  const size = Number(args[args.indexOf('--size') + 1] ?? 256) || 256;
  // Full-size stand-ins on a loaded CPU: fewer steps and rounds, no separate warm run (--steps 3 --rounds 1 --no-warm).
  const steps = args.includes('--steps') ? Number(args[args.indexOf('--steps') + 1]) : 8;
  const warmRun = !args.includes('--no-warm');
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
  if (warmRun) await engine.generate(dir, { settings });
  const warmMs = warmRun ? performance.now() - t : NaN;

  // Paired measurement, step by step: right after the pipeline's own UNet call, the same
  // session.run is repeated with the very same feeds, bare. Each step then gives one pipeline step
  // (progress event to progress event, minus the inserted bare call) and one bare call taken moments
  // apart, so load from other work on the machine hits both alike.
  // The bare call goes after the pipeline's on even steps and before it on odd ones: a repeated call
  // with the same feeds may find caches and pages warm, and alternating keeps that from biasing the ratio.
  const bareCalls: number[] = [];
  const originalRun = OnnxPart.prototype.run;
  OnnxPart.prototype.run = async function (this: OnnxPart, feeds, fetches) {
    if (this.file !== layout.unet.file) return originalRun.call(this, feeds, fetches);
    const bare = async () => {
      const t0 = performance.now();
      await originalRun.call(this, feeds, fetches);
      bareCalls.push(performance.now() - t0);
    };
    const bareFirst = bareCalls.length % 2 === 1;
    if (bareFirst) await bare();
    const result = await originalRun.call(this, feeds, fetches);
    if (!bareFirst) await bare();
    return result;
  };
  const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : Number(process.env['BENCH_ROUNDS'] ?? 3);
  const pipelineSteps: number[] = [];
  const bareSteps: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      bareCalls.length = 0;
      const marks: number[] = [];
      await engine.generate(dir, { settings }, { onProgress: () => marks.push(performance.now()) });
      // Step 0 also carries prompt encoding; steps 1.. are pure denoising steps.
      for (let i = 1; i < marks.length; i++) {
        pipelineSteps.push(marks[i]! - marks[i - 1]! - bareCalls[i]!);
        bareSteps.push(bareCalls[i]!);
      }
    }
  } finally {
    OnnxPart.prototype.run = originalRun;
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const ratios = pipelineSteps.map((p, i) => p / bareSteps[i]!);
  // Ratio j is step (j mod (steps - 1)) + 1 of its round; that step's bare call came after the pipeline's when even.
  const byOrder = (after: boolean) => ratios.filter((_, j) => ((j % (steps - 1)) + 1) % 2 === 0 === after);
  const pct = (xs: number[], q: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!.toFixed(3);
  const bareMs = median(bareSteps);
  const fullMs = median(pipelineSteps);
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;

  console.log(`\nEngine benchmark — ${layout.name}, ${size}×${size}, ${steps} steps, guidance 7 (UNet batch 2), CPU`);
  console.table([
    { metric: `bare session.run per step (ms, median of ${bareSteps.length})`, value: bareMs.toFixed(1) },
    { metric: `pipeline per step (ms, median of ${pipelineSteps.length})`, value: fullMs.toFixed(1) },
    { metric: 'engine overhead per step (median of paired ratios)', value: `${((median(ratios) - 1) * 100).toFixed(2)} %` },
    { metric: '  paired ratios p10 … p90', value: `${pct(ratios, 0.1)} … ${pct(ratios, 0.9)}` },
    { metric: '  median ratio, bare call after / before the pipeline\'s', value: `${byOrder(true).length ? median(byOrder(true)).toFixed(3) : '-'} / ${byOrder(false).length ? median(byOrder(false)).toFixed(3) : '-'}` },
    { metric: 'cold: load + first image (ms)', value: coldMs.toFixed(0) },
    { metric: '  of which loading sessions (ms)', value: cold.timings.loadMs.toFixed(0) },
    { metric: 'warm: first image (ms)', value: warmRun ? warmMs.toFixed(0) : 'not run (--no-warm)' },
    { metric: 'cold: denoise per step, UNet batch 2 (s)', value: (cold.timings.denoiseMs / steps / 1000).toFixed(2) },
    { metric: 'model weights (MiB)', value: (layout.weightBytes / 2 ** 20).toFixed(1) },
    { metric: 'peak RSS (MiB)', value: peakRssMiB.toFixed(0) },
    { metric: 'peak RSS / weights', value: (peakRssMiB / (layout.weightBytes / 2 ** 20)).toFixed(2) },
  ]);
  await engine.release();
}
