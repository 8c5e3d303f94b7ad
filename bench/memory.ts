import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../electron/core/models/defaultModel.js';
import { readModelFolder } from '../electron/core/models/modelFolder.js';
import { modelMemoryFacts } from '../electron/core/models/memoryFacts.js';
import { estimateJobMemory } from '../electron/core/engine/memoryEstimate.js';
import { DEFAULT_SESSION_TUNING } from '../electron/core/engine/onnx/sessionTuning.js';
import type { MemoryRun } from './memoryChild.js';

type Rung = Pick<MemoryRun, 'tuning' | 'eagerVaeEncoder' | 'releaseTextEncoders' | 'unetAfterEncoders' | 'jsCopy'>;
const ORT_DEFAULTS: Rung = { tuning: { cpuArena: true, memPattern: true, prepacking: true }, eagerVaeEncoder: true, releaseTextEncoders: false, unetAfterEncoders: false };
const ARENA_OFF: Rung = { ...ORT_DEFAULTS, tuning: { ...ORT_DEFAULTS.tuning, cpuArena: false } };
const PATTERNS_OFF: Rung = { ...ARENA_OFF, tuning: { ...ARENA_OFF.tuning, memPattern: false } };
const LAZY_VAE_ENCODER: Rung = { ...PATTERNS_OFF, eagerVaeEncoder: false };
const RELEASE_ENCODERS: Rung = { ...LAZY_VAE_ENCODER, releaseTextEncoders: true };
const UNET_AFTER_ENCODERS: Rung = { ...RELEASE_ENCODERS, unetAfterEncoders: true };

/**
 * The engine's memory options, one change at a time from onnxruntime's defaults (the issue-14 table), and
 * what holding a JS copy of the weights would cost on top of the engine's defaults.
 */
const LADDER: Array<{ name: string; run: Rung }> = [
  { name: 'before: ORT defaults, all parts loaded at once', run: ORT_DEFAULTS },
  { name: '+ CPU arena off', run: ARENA_OFF },
  { name: '+ memory patterns off', run: PATTERNS_OFF },
  { name: '+ VAE encoder loaded on first use', run: LAZY_VAE_ENCODER },
  { name: '+ text encoders released after encoding', run: RELEASE_ENCODERS },
  { name: '+ UNet session created after the encoders are released', run: UNET_AFTER_ENCODERS },
  { name: '+ pre-packing off', run: { ...UNET_AFTER_ENCODERS, tuning: { ...UNET_AFTER_ENCODERS.tuning, prepacking: false } } },
  { name: 'rung 3 with every session made from weights read into JS (a second copy)', run: { ...LAZY_VAE_ENCODER, jsCopy: true } },
];

interface Measured {
  size: number;
  cold: boolean;
  peakRssBytes: number;
  ms: number;
  meanPixel: number;
  timings: Record<string, number>;
}

function measure(run: MemoryRun): Measured[] {
  const out = execFileSync(process.execPath, [...process.execArgv, join(projectRoot(), 'bench', 'memoryChild.ts'), JSON.stringify(run)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Measured);
}

const gb = (b: number) => (b / 1e9).toFixed(2);

/**
 * `npm run bench -- memory --model DIR [--sizes 512,768] [--steps N] [--ladder | --configs 0,3] [--lean] [--warm]`:
 * peak RSS of one CPU txt2img generation (guidance 5, batch 1) per fresh process, against the weight
 * bytes of the parts it loads (text encoders, UNet, VAE decoder) and against the engine's own estimate
 * (engine/memoryEstimate.ts: `peakBytes`, or `leanPeakBytes` when the text encoders are released).
 * --ladder walks the memory options one change at a time; otherwise the engine's defaults per size
 * (--lean: with the text encoders released after encoding, as the engine does when memory is short).
 * --warm: all sizes in one process, in the order given: the first row is cold (loading included), the others
 * are warm jobs on the same sessions (each job's own peak), which saves a full-size load per size.
 */
export async function benchMemory(args: string[]): Promise<void> {
  const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const model = arg('--model');
  if (!model) {
    console.log('usage: npm run bench -- memory --model DIR [--sizes 512,768,1024] [--ladder | --configs 0,3] [--lean] [--warm] [--steps 2]');
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
    ? LADDER.map((c, i) => ({ ...c, name: `${i} ${c.name}` })).filter((_, i) => !picked || picked.includes(i))
    : [{ name: lean ? 'engine defaults, lean (encoders released, UNet after them)' : 'engine defaults', run: { ...(lean ? UNET_AFTER_ENCODERS : LAZY_VAE_ENCODER), tuning: { ...DEFAULT_SESSION_TUNING } } }];
  const groups = args.includes('--warm') ? [sizes] : sizes.map((s) => [s]);
  for (const group of groups) {
    for (const c of configs) {
      for (const r of measure({ model, sizes: group, steps, guidance: 5, ...c.run })) {
        const e = estimateJobMemory(facts, { width: r.size, height: r.size, batch: 1, guidance: 5, mode: 'txt2img' }, 'cpu');
        const estimate = c.run.releaseTextEncoders ? e.leanPeakBytes : e.peakBytes;
        const row = {
          config: c.name,
          size: r.size,
          load: r.cold ? 'cold' : 'warm',
          peakGB: gb(r.peakRssBytes),
          xWeights: (r.peakRssBytes / loadedBytes).toFixed(2),
          estimateGB: gb(estimate),
          estimateErr: `${((estimate / r.peakRssBytes - 1) * 100).toFixed(1)} %`,
          seconds: (r.ms / 1000).toFixed(1),
          loadS: ((r.timings['loadMs'] ?? 0) / 1000).toFixed(1),
          denoiseS: ((r.timings['denoiseMs'] ?? 0) / 1000).toFixed(1),
          decodeS: ((r.timings['decodeMs'] ?? 0) / 1000).toFixed(1),
          meanPixel: r.meanPixel.toFixed(1),
        };
        console.log(JSON.stringify(row));
        rows.push(row);
      }
    }
  }
  console.log(`\nPeak RSS — ${layout.name}: ${gb(loadedBytes)} GB of weights in the parts a txt2img job loads (${gb(layout.weightBytes)} GB on disk in all), CPU, ${steps} steps, guidance 5`);
  console.log('xWeights = peak RSS / those weight bytes; estimateErr = (estimate − measured) / measured');
  console.table(rows);
}
