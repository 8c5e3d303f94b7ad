import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../electron/core/models/defaultModel.js';
import { createRng } from '../electron/core/engine/rng.js';
import { createScheduler, parseSchedulerConfig } from '../electron/core/engine/schedulers/index.js';
import { SCHEDULER_NAMES } from '../electron/contract/generation.js';
import { ClipTokenizer } from '../electron/core/engine/tokenizer/clipTokenizer.js';

/** Best-of-rounds mean time of f in ms. */
function time(f: () => void, reps: number, rounds = 5): number {
  for (let i = 0; i < Math.max(5, reps / 10); i++) f();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return best;
}

/**
 * The engine's pure numerical core: scheduler steps and RNG fills on SD1.5 (4×64×64) and SDXL
 * (4×128×128) latents, as ratios to a bare a·x+b·y pass over the same arrays in this process;
 * tokenizer encode time (cold words and warm cache) against a plain split of the same prompt.
 */
export async function benchNumericCore(args: string[]): Promise<void> {
  const dirArg = args.indexOf('--tokenizer');
  const tokDir = dirArg >= 0 ? args[dirArg + 1]! : join(projectRoot(), '..', 'shared', 'models', 'clip-tokenizer');
  for (const [label, n] of [['SD1.5 4x64x64', 4 * 64 * 64], ['SDXL 4x128x128', 4 * 128 * 128]] as const) {
    const x = createRng(1).fillNormal(new Float32Array(n));
    const e = createRng(2).fillNormal(new Float32Array(n));
    const base = time(() => {
      const o = new Float32Array(n);
      for (let i = 0; i < n; i++) o[i] = 0.9 * x[i]! + 0.1 * e[i]!;
    }, 200);
    console.log(`${label}: baseline a*x+b*y ${base.toFixed(3)} ms`);
    const fill = time(() => createRng(3).fillNormal(new Float32Array(n)), 100);
    console.log(`  rng fillNormal            ${fill.toFixed(3)} ms  (${(fill / base).toFixed(1)}x)`);
    for (const name of SCHEDULER_NAMES) {
      const s = createScheduler(name, parseSchedulerConfig({}), 50);
      const rng = createRng(4);
      let i = 0;
      const t = time(() => {
        s.step(e, i, s.scaleModelInput(x, i), rng);
        i = (i + 1) % 50;
      }, 100);
      console.log(`  ${`${name} scale+step`.padEnd(25)} ${t.toFixed(3)} ms  (${(t / base).toFixed(1)}x)`);
    }
  }

  let vocab: Record<string, number>;
  let merges: string;
  try {
    vocab = JSON.parse(readFileSync(join(tokDir, 'vocab.json'), 'utf8')) as Record<string, number>;
    merges = readFileSync(join(tokDir, 'merges.txt'), 'utf8');
  } catch {
    console.log(`no CLIP vocabulary at ${tokDir} (pass --tokenizer DIR): tokenizer part skipped`);
    return;
  }
  let t0 = performance.now();
  const tok = new ClipTokenizer(vocab, merges);
  console.log(`tokenizer: construct ${(performance.now() - t0).toFixed(1)} ms (vocab already parsed)`);
  const prompt = 'masterpiece, best quality, a detailed oil painting of an old lighthouse on a cliff at sunset, '.repeat(4);
  t0 = performance.now();
  const first = tok.encode(prompt);
  console.log(`  cold encode (${first.tokenCount} tokens, empty cache) ${(performance.now() - t0).toFixed(3)} ms`);
  const split = time(() => prompt.toLowerCase().split(/\s+/), 2000);
  const warm = time(() => tok.encode(prompt), 2000);
  console.log(`  warm encode ${(warm * 1000).toFixed(1)} µs  (${(warm / split).toFixed(1)}x a plain lower+split of the prompt)`);
}
