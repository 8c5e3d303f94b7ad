import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../electron/core/models/defaultModel.js';
import { readModelFolder } from '../electron/core/models/modelFolder.js';
import { modelMemoryFacts } from '../electron/core/models/memoryFacts.js';
import { estimateJobMemory } from '../electron/core/engine/memoryEstimate.js';
import { DEFAULT_SESSION_TUNING } from '../electron/core/engine/onnx/sessionTuning.js';
import type { MemoryRun } from './memoryChild.js';

/** The engine's memory options, one change at a time from onnxruntime's defaults (the issue-14 table). */
const LADDER: Array<{ name: string; run: Pick<MemoryRun, 'tuning' | 'eagerVaeEncoder' | 'releaseTextEncoders'> }> = [
  { name: 'before: ORT defaults, all parts loaded', run: { tuning: { cpuArena: true, memPattern: true, prepacking: true }, eagerVaeEncoder: true, releaseTextEncoders: false } },
  { name: '+ CPU arena off', run: { tuning: { cpuArena: false, memPattern: true, prepacking: true }, eagerVaeEncoder: true, releaseTextEncoders: false } },
  { name: '+ memory patterns off', run: { tuning: { cpuArena: false, memPattern: false, prepacking: true }, eagerVaeEncoder: true, releaseTextEncoders: false } },
  { name: '+ VAE encoder loaded on first use', run: { tuning: { cpuArena: false, memPattern: false, prepacking: true }, eagerVaeEncoder: false, releaseTextEncoders: false } },
  { name: '+ text encoders released after encoding', run: { tuning: { cpuArena: false, memPattern: false, prepacking: true }, eagerVaeEncoder: false, releaseTextEncoders: true } },
  { name: '+ pre-packing off', run: { tuning: { cpuArena: false, memPattern: false, prepacking: false }, eagerVaeEncoder: false, releaseTextEncoders: true } },
];

function measure(run: MemoryRun): { peakRssBytes: number; ms: number; meanPixel: number; timings: Record<string, number> } {
  const out = execFileSync(process.execPath, [...process.execArgv, join(projectRoot(), 'bench', 'memoryChild.ts'), JSON.stringify(run)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const line = out.trim().split('\n').pop()!;
  return JSON.parse(line) as { peakRssBytes: number; ms: number; meanPixel: number; timings: Record<string, number> };
}

const gb = (b: number) => (b / 1e9).toFixed(2);

/**
 * `npm run bench -- memory --model DIR [--sizes 512,768] [--steps N] [--ladder | --configs 0,3] [--lean]`:
 * peak RSS of one CPU txt2img generation (guidance 5, batch 1) per fresh process, against the weight
 * bytes of the parts it loads (text encoders, UNet, VAE decoder) and against the engine's own estimate
 * (engine/memoryEstimate.ts: `peakBytes`, or `leanPeakBytes` when the text encoders are released).
 * --ladder walks the memory options one change at a time; otherwise the engine's defaults per size
 * (--lean: with the text encoders released after encoding, as the engine does when memory is short).
 */
export async function benchMemory(args: string[]): Promise<void> {
  const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const model = arg('--model');
  if (!model) {
    console.log('usage: npm run bench -- memory --model DIR [--sizes 512,768,1024] [--ladder | --configs 0,3] [--lean] [--steps 2]');
    process.exitCode = 2;
    return;
  }
  const layout = readModelFolder(model);
  const facts = modelMemoryFacts(layout);
  const loadedBytes = facts.textEncoderBytes + facts.unetBytes + facts.vaeDecoderBytes;
  const sizes = (arg('--sizes') ?? arg('--size') ?? String(layout.recommended?.width ?? 512)).split(',').map(Number);
  const steps = Number(arg('--steps') ?? 2);
  const rows = [];
  const picked = arg('--configs')?.split(',').map(Number);
  const lean = args.includes('--lean');
  const configs = args.includes('--ladder') || picked
    ? LADDER.filter((_, i) => !picked || picked.includes(i))
    : [{ name: lean ? 'engine defaults, text encoders released' : 'engine defaults', run: { tuning: { ...DEFAULT_SESSION_TUNING }, eagerVaeEncoder: false, releaseTextEncoders: lean } }];
  for (const size of sizes) {
    for (const c of configs) {
      const r = measure({ model, size, steps, guidance: 5, ...c.run });
      const e = estimateJobMemory(facts, { width: size, height: size, batch: 1, guidance: 5, mode: 'txt2img' }, 'cpu');
      const estimate = c.run.releaseTextEncoders ? e.leanPeakBytes : e.peakBytes;
      const row = {
        config: c.name,
        size,
        peakGB: gb(r.peakRssBytes),
        xWeights: (r.peakRssBytes / loadedBytes).toFixed(2),
        estimateGB: gb(estimate),
        estimateErr: `${((estimate / r.peakRssBytes - 1) * 100).toFixed(1)} %`,
        seconds: (r.ms / 1000).toFixed(1),
        denoiseS: ((r.timings['denoiseMs'] ?? 0) / 1000).toFixed(1),
        decodeS: ((r.timings['decodeMs'] ?? 0) / 1000).toFixed(1),
        meanPixel: r.meanPixel.toFixed(1),
      };
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  console.log(`\nPeak RSS — ${layout.name}: ${gb(loadedBytes)} GB of weights in the parts a txt2img job loads (${gb(layout.weightBytes)} GB on disk in all), CPU, ${steps} steps, guidance 5`);
  console.log('xWeights = peak RSS / those weight bytes; estimateErr = (estimate − measured) / measured');
  console.table(rows);
}
