import { loadavg } from 'node:os';
import { join } from 'node:path';
import { GenerationSettingsSchema, type GenerationSettingsInput } from '../electron/contract/generation.js';
import { Engine } from '../electron/core/engine/engine.js';
import { prefillPatch } from '../electron/core/engine/inpaint/prefill.js';
import { pasteBack, type PasteBackOptions } from '../electron/core/engine/inpaint/seamless.js';
import { seamScore, type SeamScore } from '../electron/testing/inpaint/seamMetrics.js';
import { makeMask, makeScene, MASK_SHAPES, SCENE_KINDS, simulateGenerated } from '../electron/testing/inpaint/simulate.js';
import { compositeWithWeights, featherWeights } from '../electron/core/engine/mask.js';
import { createGray, type GrayImage, type RgbaImage } from '../electron/core/image/types.js';
import { projectRoot } from '../electron/core/models/defaultModel.js';

/**
 * `npm run bench -- inpaint [--size N] [--speed-only]`: seam quality (ring ΔE2000, seam gradient energy) of the
 * paste-back variants on procedural scenes with a simulated VAE round trip, one real run of the tiny
 * SD1.5 test model, and paste-back / pre-fill speed at 1024² against the plain feathered composite.
 */
const VARIANTS: Record<string, PasteBackOptions | 'original'> = {
  'untouched original (ideal)': 'original',
  'no correction (hard paste)': { feather: 0, colorMatch: false, blend: 'linear' },
  'feather only (old default)': { feather: 4, colorMatch: false, blend: 'linear' },
  'colour match + feather': { feather: 4, colorMatch: true, blend: 'linear' },
  'multiband, no colour match': { feather: 4, colorMatch: false, blend: 'multiband' },
  'full default': { feather: 4, colorMatch: true, blend: 'multiband' },
};

function outsideChanged(a: RgbaImage, b: RgbaImage, mask: GrayImage): number {
  let n = 0;
  for (let p = 0; p < mask.data.length; p++) {
    if (mask.data[p] !== 0) continue;
    for (let c = 0; c < 4; c++) if (a.data[p * 4 + c] !== b.data[p * 4 + c]) n++;
  }
  return n;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/**
 * Median wall and CPU time of `rounds` calls after `warm` untimed ones (the first calls include V8
 * compiling the code). CPU time (this process, user + system) is what to read on a shared, loaded
 * machine: it leaves out the time spent waiting for a core.
 */
function timeIt(f: () => unknown, rounds: number, warm = 3): { wall: number; cpu: number } {
  for (let i = 0; i < warm; i++) f();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

function seamTable(size: number): void {
  const sums = new Map<string, { de: number; grad: number; n: number; changed: number }>();
  const perScene = new Map<string, Map<string, { de: number; grad: number; n: number }>>();
  for (const kind of SCENE_KINDS) {
    for (const shape of MASK_SHAPES) {
      const orig = makeScene(kind, size, size, 3);
      const mask = makeMask(shape, size, size);
      const gen = simulateGenerated(orig, kind, mask, 16, 11);
      for (const [name, v] of Object.entries(VARIANTS)) {
        const img = v === 'original' ? orig : pasteBack(orig, gen, mask, v);
        const s: SeamScore = seamScore(img, mask);
        const t = sums.get(name) ?? { de: 0, grad: 0, n: 0, changed: 0 };
        t.de += s.ringDeltaE;
        t.grad += s.gradientRatio;
        t.n++;
        t.changed += outsideChanged(orig, img, mask);
        sums.set(name, t);
        const sc = perScene.get(kind) ?? new Map();
        const u = sc.get(name) ?? { de: 0, grad: 0, n: 0 };
        u.de += s.ringDeltaE;
        u.grad += s.gradientRatio;
        u.n++;
        sc.set(name, u);
        perScene.set(kind, sc);
      }
    }
  }
  console.log(`\nSeam quality — ${SCENE_KINDS.length} scenes × ${MASK_SHAPES.length} masks at ${size}², simulated VAE round trip`);
  console.log('(ring ΔE2000: 4-px rings inside/outside the edge, per 16-px tile; gradient: seam ÷ surroundings, 1 = no seam of its own)');
  console.table(
    [...sums].map(([variant, t]) => ({
      variant,
      'ring ΔE2000': (t.de / t.n).toFixed(2),
      'seam gradient ratio': (t.grad / t.n).toFixed(2),
      'bytes changed outside mask': t.changed,
    })),
  );
  console.log('per scene (ΔE2000 / gradient ratio):');
  console.table(
    [...perScene].map(([scene, m]) =>
      Object.fromEntries([['scene', scene], ...[...m].map(([k, u]) => [k.split(' (')[0], `${(u.de / u.n).toFixed(2)} / ${(u.grad / u.n).toFixed(2)}`])]),
    ),
  );
}

async function realModel(): Promise<void> {
  const dir = join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny');
  const size = 128;
  const engine = new Engine({ provider: 'cpu' });
  const rows: Record<string, string | number>[] = [];
  try {
    for (const [scene, shape] of [['photo', 'blob'], ['texture', 'circle'], ['gradient', 'rect']] as const) {
      const init = makeScene(scene, size, size, 2);
      const mask = makeMask(shape, size, size);
      const base: GenerationSettingsInput = {
        mode: 'inpaint', prompt: 'a stone wall', width: size, height: size, steps: 4, guidance: 7, scheduler: 'euler', seed: 5, strength: 1,
      };
      for (const [name, extra] of [
        ['untouched original (ideal)', undefined],
        ['feather only (old default)', { colorMatch: false, blend: 'linear' }],
        ['full default', {}],
      ] as const) {
        const image = extra === undefined ? init : (await engine.generate(dir, { settings: GenerationSettingsSchema.parse({ ...base, ...extra }), initImage: init, mask })).images[0]!.image;
        const s = seamScore(image, mask);
        rows.push({ case: `${scene} / ${shape}`, variant: name, 'ring ΔE2000': s.ringDeltaE.toFixed(2), 'seam gradient ratio': s.gradientRatio.toFixed(2), 'bytes changed outside mask': outsideChanged(init, image, mask) });
      }
    }
  } finally {
    await engine.release();
  }
  console.log(`\nReal tiny model (sd15-tiny: random weights, so a real VAE round trip but noise for content), ${size}², 4 steps, CPU`);
  console.table(rows);
}

function speed(): void {
  const S = 1024;
  const orig = makeScene('texture', S, S, 1);
  const gen = makeScene('texture', S, S, 2);
  const mask = createGray(S, S);
  for (let y = 363; y < 663; y++) for (let x = 301; x < 601; x++) mask.data[y * S + x] = 255;
  // A fresh image pair for the cold call, so nothing about it is cached.
  const coldOrig = makeScene('photo', S, S, 3);
  const cold = timeIt(() => pasteBack(coldOrig, orig, mask), 1, 0);
  const baseline = timeIt(() => compositeWithWeights(orig, gen, featherWeights(mask, 4)), 15);
  const def = timeIt(() => pasteBack(orig, gen, mask), 15);
  const linearCm = timeIt(() => pasteBack(orig, gen, mask, { feather: 4, colorMatch: true, blend: 'linear' }), 15);
  const fill = timeIt(() => prefillPatch(orig, mask), 2, 0);
  const row = (step: string, m: { wall: number; cpu: number }) => ({
    step,
    'wall ms': m.wall.toFixed(1),
    'CPU ms': m.cpu.toFixed(1),
    'CPU ratio': (m.cpu / baseline.cpu).toFixed(2),
  });
  console.log(`\nSpeed — 1024×1024 image, 300×300 mask, median of 15 after 3 warm-up calls, same process (load average ${loadavg()[0]!.toFixed(1)})`);
  console.table([
    row('baseline: featherWeights + compositeWithWeights', baseline),
    row('pasteBack, full default (colour match + multiband)', def),
    row('  the same, first call in the process (cold JIT)', cold),
    row('pasteBack, colour match + linear', linearCm),
    row('prefillPatch (once per job, before encoding)', fill),
  ]);
}

export async function benchInpaint(args: string[]): Promise<void> {
  const i = args.indexOf('--size');
  const size = i >= 0 ? Number(args[i + 1]) || 256 : 256;
  speed(); // first, so its cold call really is the process's first paste-back
  if (args.includes('--speed-only')) return;
  seamTable(size);
  await realModel();
}
