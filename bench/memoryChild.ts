/**
 * Measured generations in one fresh process (peak RSS is per process): prints one JSON line per size.
 * Run by bench/memory.ts; argv[2] is the JSON of MemoryRun. The first size is cold (its peak includes
 * loading the sessions); later sizes reuse the warm sessions, their peak measured from a reset high-water
 * mark (Linux /proc/self/clear_refs), so one load serves several sizes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GenerationSettingsSchema } from '../electron/contract/generation.js';
import { Engine } from '../electron/core/engine/engine.js';
import { buildSessionSource } from '../electron/core/engine/lora/sessionSource.js';
import { readOnnxGraph } from '../electron/core/engine/lora/onnxProto.js';
import { OnnxPart } from '../electron/core/engine/onnx/part.js';
import type { SessionTuning } from '../electron/core/engine/onnx/sessionTuning.js';
import { readModelFolder } from '../electron/core/models/modelFolder.js';

export interface MemoryRun {
  model: string;
  sizes: number[];
  steps: number;
  guidance: number;
  tuning: SessionTuning;
  /** Load the VAE encoder too, as the engine did before it was loaded on first use. */
  eagerVaeEncoder: boolean;
  releaseTextEncoders: boolean;
  /** With the encoders released: create the UNet's session after them (the engine's lean loading). */
  unetAfterEncoders: boolean;
  /**
   * Create every session from weights read into JS buffers first (a second copy), as a LoRA merge did before it
   * put only the merged weights in memory (and still does past protobuf's 2 GB: sessionSource.ts, inline limit 0 here).
   */
  jsCopy?: boolean;
}

const run = JSON.parse(process.argv[2]!) as MemoryRun;
const layout = readModelFolder(run.model);
if (run.jsCopy) {
  const create = OnnxPart.create.bind(OnnxPart);
  OnnxPart.create = (file, pref, source, tuning) =>
    create(file, pref, source ?? (() => buildSessionSource(readOnnxGraph(readFileSync(file)), dirname(file), new Map(), [], 0)), tuning);
}
const engine = new Engine({ provider: 'cpu', sessionTuning: run.tuning, memoryCheck: false, unetAfterEncoders: run.unetAfterEncoders });
const extra = run.eagerVaeEncoder && layout.vaeEncoder ? await OnnxPart.create(layout.vaeEncoder.file, 'cpu', undefined, run.tuning) : undefined;
for (const [i, size] of run.sizes.entries()) {
  // Later sizes: peak of this job alone (the kernel resets VmHWM and ru_maxrss to the current RSS).
  if (i > 0) writeFileSync('/proc/self/clear_refs', '5');
  const settings = GenerationSettingsSchema.parse({
    mode: 'txt2img', prompt: 'a lighthouse at dusk', negativePrompt: 'blurry', width: size, height: size,
    steps: run.steps, guidance: run.guidance, scheduler: 'euler', seed: 1, batch: 1,
  });
  const t = performance.now();
  const result = await engine.generate(run.model, { settings }, { releaseTextEncoders: run.releaseTextEncoders });
  const ms = performance.now() - t;
  const px = result.images[0]!.image.data;
  let sum = 0;
  for (const v of px) sum += v;
  console.log(JSON.stringify({ size, cold: i === 0, peakRssBytes: process.resourceUsage().maxRSS * 1024, ms, timings: result.timings, meanPixel: sum / px.length }));
}
await extra?.release();
await engine.release();
