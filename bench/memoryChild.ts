/**
 * One measured generation in a fresh process (peak RSS is per process): prints one JSON line.
 * Run by bench/memory.ts; argv[2] is the JSON of MemoryRun.
 */
import { GenerationSettingsSchema } from '../electron/contract/generation.js';
import { Engine } from '../electron/core/engine/engine.js';
import { OnnxPart } from '../electron/core/engine/onnx/part.js';
import type { SessionTuning } from '../electron/core/engine/onnx/sessionTuning.js';
import { readModelFolder } from '../electron/core/models/modelFolder.js';

export interface MemoryRun {
  model: string;
  size: number;
  steps: number;
  guidance: number;
  tuning: SessionTuning;
  /** Load the VAE encoder too, as the engine did before it was loaded on first use. */
  eagerVaeEncoder: boolean;
  releaseTextEncoders: boolean;
}

const run = JSON.parse(process.argv[2]!) as MemoryRun;
const layout = readModelFolder(run.model);
const engine = new Engine({ provider: 'cpu', sessionTuning: run.tuning, memoryCheck: false });
const extra = run.eagerVaeEncoder && layout.vaeEncoder ? await OnnxPart.create(layout.vaeEncoder.file, 'cpu', undefined, run.tuning) : undefined;
const settings = GenerationSettingsSchema.parse({
  mode: 'txt2img', prompt: 'a lighthouse at dusk', negativePrompt: 'blurry', width: run.size, height: run.size,
  steps: run.steps, guidance: run.guidance, scheduler: 'euler', seed: 1, batch: 1,
});
const t = performance.now();
const result = await engine.generate(run.model, { settings }, { releaseTextEncoders: run.releaseTextEncoders });
const ms = performance.now() - t;
const px = result.images[0]!.image.data;
let sum = 0;
for (const v of px) sum += v;
console.log(JSON.stringify({ peakRssBytes: process.resourceUsage().maxRSS * 1024, ms, timings: result.timings, meanPixel: sum / px.length }));
await extra?.release();
await engine.release();
