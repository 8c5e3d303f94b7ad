import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { GenerationSettingsSchema, type SchedulerName } from '../electron/contract/generation.js';
import { Engine } from '../electron/core/engine/engine.js';
import { OnnxPart } from '../electron/core/engine/onnx/part.js';
import type { ProviderPreference } from '../electron/core/engine/onnx/providers.js';
import type { StandinFamily } from '../electron/core/models/standin/families.js';
import { writeStandin } from '../electron/core/models/standin/writeStandin.js';

/** One row of the table: a stand-in, a size, a step count, a provider. */
export interface GpuCase {
  name: string;
  family: StandinFamily;
  fp16: boolean;
  size: number;
  steps: number;
  guidance: number;
  scheduler: SchedulerName;
}

export interface GpuRow {
  case: string;
  provider: string;
  /** What actually ran (a provider that failed falls back to CPU, and the row says so). */
  ranOn: string;
  firstImageS: number;
  secondsPerImage: number;
  itPerSecond: number;
  /** Median pipeline step over the bare session.run of the same UNet call, minus 1. */
  overheadPct: number;
  peakVramMiB: number | null;
  error?: string;
}

/** The cases: SD 1.5 512² 50 steps fp16 and fp32, SD-Turbo 512² 1 step, SDXL 1024² 30 steps. */
export const GPU_CASES: GpuCase[] = [
  { name: 'SD 1.5 fp16 512² 50 steps', family: 'sd15', fp16: true, size: 512, steps: 50, guidance: 7.5, scheduler: 'euler' },
  { name: 'SD 1.5 fp32 512² 50 steps', family: 'sd15', fp16: false, size: 512, steps: 50, guidance: 7.5, scheduler: 'euler' },
  { name: 'SD-Turbo fp16 512² 1 step', family: 'sd-turbo', fp16: true, size: 512, steps: 1, guidance: 0, scheduler: 'euler-a' },
  { name: 'SDXL fp16 1024² 30 steps', family: 'sdxl', fp16: true, size: 1024, steps: 30, guidance: 5, scheduler: 'euler' },
];

/** Polls nvidia-smi's used memory while a case runs; null where there is no nvidia-smi. */
class VramPeak {
  private proc?: ChildProcess;
  private peak: number | null = null;

  start(): void {
    try {
      execFileSync('nvidia-smi', ['-L'], { stdio: 'ignore', timeout: 5000 });
    } catch {
      return;
    }
    this.peak = 0;
    this.proc = spawn('nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits', '-lms', '100'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.proc.on('error', () => undefined);
    this.proc.stdout!.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        const v = Number(line.trim());
        if (line.trim() && Number.isFinite(v)) this.peak = Math.max(this.peak ?? 0, v);
      }
    });
  }

  stop(): number | null {
    this.proc?.kill();
    return this.peak;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function runCase(dir: string, c: GpuCase, provider: ProviderPreference, unetFile: string): Promise<GpuRow> {
  const settings = GenerationSettingsSchema.parse({
    mode: 'txt2img', prompt: 'a lighthouse at dusk, oil painting', negativePrompt: '', width: c.size, height: c.size,
    steps: c.steps, guidance: c.guidance, scheduler: c.scheduler, seed: 1, batch: 1,
  });
  const vram = new VramPeak();
  vram.start();
  const engine = new Engine({ provider, memoryCheck: false, safetyChecker: false });
  try {
    let t = performance.now();
    const first = await engine.generate(dir, { settings });
    const firstImageS = (performance.now() - t) / 1000;
    t = performance.now();
    await engine.generate(dir, { settings });
    const secondsPerImage = (performance.now() - t) / 1000;
    // Engine overhead as bench/engine.ts measures it: each pipeline UNet call repeated bare at once.
    const bare: number[] = [];
    const original = OnnxPart.prototype.run;
    OnnxPart.prototype.run = async function (this: OnnxPart, feeds, fetches) {
      const result = await original.call(this, feeds, fetches);
      if (this.file === unetFile) {
        const t0 = performance.now();
        await original.call(this, feeds, fetches);
        bare.push(performance.now() - t0);
      }
      return result;
    };
    const marks: number[] = [];
    try {
      await engine.generate(dir, { settings }, { onProgress: () => marks.push(performance.now()) });
    } finally {
      OnnxPart.prototype.run = original;
    }
    const ratios: number[] = [];
    for (let i = 1; i < marks.length; i++) ratios.push((marks[i]! - marks[i - 1]! - bare[i]!) / bare[i]!);
    return {
      case: c.name,
      provider,
      ranOn: first.provider,
      firstImageS,
      secondsPerImage,
      itPerSecond: c.steps / secondsPerImage,
      overheadPct: ratios.length ? median(ratios) * 100 : NaN,
      peakVramMiB: vram.stop(),
    };
  } catch (error) {
    return { case: c.name, provider, ranOn: '-', firstImageS: NaN, secondsPerImage: NaN, itPerSecond: NaN, overheadPct: NaN, peakVramMiB: vram.stop(), error: error instanceof Error ? error.message : String(error) };
  } finally {
    await engine.release();
  }
}

export interface GpuBenchOptions {
  /** Tiny stand-ins at 64 px, 2 steps, on the CPU: checks the whole path in seconds (run by the test suite). */
  dry?: boolean;
  workDir?: string;
  providers?: ProviderPreference[];
  log?: (line: string) => void;
}

export async function runGpuBench(opts: GpuBenchOptions = {}): Promise<GpuRow[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const work = opts.workDir ?? join(tmpdir(), 'atelier-gpu-bench');
  const supported = new Set(ort.listSupportedBackends().map((b) => b.name));
  const providers = opts.providers ?? (opts.dry ? (['cpu'] as ProviderPreference[]) : (['cuda', 'webgpu'] as ProviderPreference[]).filter((p) => supported.has(p)));
  const cases = opts.dry ? GPU_CASES.map((c) => ({ ...c, size: 64, steps: Math.min(c.steps, 2) })) : GPU_CASES;
  const rows: GpuRow[] = [];
  for (const c of cases) {
    const dir = join(work, `${c.family}-${c.fp16 ? 'fp16' : 'fp32'}${opts.dry ? '-tiny' : ''}`);
    if (!existsSync(join(dir, 'model_index.json'))) {
      const t = performance.now();
      mkdirSync(dir, { recursive: true });
      writeStandin({ family: c.family, fp16: c.fp16, tiny: opts.dry, outDir: dir });
      log(`made ${dir} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    for (const provider of providers) {
      const row = await runCase(dir, c, provider, join(dir, 'unet', 'model.onnx'));
      log(JSON.stringify(row));
      rows.push(row);
    }
  }
  return rows;
}

/**
 * `npm run bench -- gpu [--dry] [--work DIR] [--providers cuda,webgpu] [--json FILE]`: makes the stand-ins,
 * then per case and provider: time to first image (session creation included), s/image, it/s, engine
 * overhead over the bare UNet session.run, and peak VRAM from nvidia-smi. README "GPU benchmark".
 */
export async function benchGpu(args: string[]): Promise<void> {
  const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const rows = await runGpuBench({
    dry: args.includes('--dry'),
    workDir: arg('--work'),
    providers: arg('--providers')?.split(',') as ProviderPreference[] | undefined,
  });
  const json = arg('--json');
  if (json) writeFileSync(json, `${JSON.stringify(rows, null, 2)}\n`);
  const fmt = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  console.table(rows.map((r) => ({
    case: r.case, provider: r.provider, 'ran on': r.ranOn, 's/image': fmt(r.secondsPerImage, 3), 'it/s': fmt(r.itPerSecond, 1),
    'first image s': fmt(r.firstImageS), 'overhead %': fmt(r.overheadPct, 1), 'peak VRAM MiB': r.peakVramMiB ?? '-', error: r.error ?? '',
  })));
}
