import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OnnxPart } from '../electron/core/engine/onnx/part.js';
import { LoraMerger } from '../electron/core/engine/lora/loraMerger.js';
import type { SessionSource } from '../electron/core/engine/lora/sessionSource.js';
import { readOnnxGraph } from '../electron/core/engine/lora/onnxProto.js';
import { findTargets } from '../electron/core/engine/lora/targets.js';
import { targetKey, type LoraPart } from '../electron/core/models/loraFile.js';
import { ATTENTION_LAYERS, writeLora } from './lora.js';

/**
 * `npm run bench -- lora-part --file PART/model.onnx [--part text_encoder|text_encoder_2|unet] [--rank R]`:
 * where the memory of one LoRA-merged session goes, on one part (a full-size text encoder is ~0.5 GB, so
 * this runs in a minute outside the full-size queue). Prints, after a full GC at each step, RSS split into
 * anonymous (heaps) and file-backed, and what JavaScript holds in ArrayBuffers: session from the file,
 * released; merged source built; session from it; source dropped; released; from the file again.
 * Run it with MALLOC_MMAP_THRESHOLD_=65536 to see how much of the difference is glibc keeping freed heap.
 */
export async function benchLoraPart(args: string[]): Promise<void> {
  const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const file = arg('--file');
  if (!file) throw new Error('bench lora-part needs --file PART/model.onnx');
  const part = (arg('--part') ?? 'text_encoder') as LoraPart;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const status = () => {
    const s = readFileSync('/proc/self/status', 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) / 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), hwm: kb('VmHWM'), js: process.memoryUsage().arrayBuffers / 2 ** 20 };
  };
  const log = (label: string) => {
    gc();
    gc();
    const m = status();
    console.log(`${label.padEnd(36)} rss ${m.rss.toFixed(0).padStart(6)} MiB (anon ${m.anon.toFixed(0)}, file ${m.file.toFixed(0)})   peak ${m.hwm.toFixed(0)}   JS ArrayBuffers ${m.js.toFixed(0)}`);
  };
  const layers = [...new Set(findTargets(readOnnxGraph(readFileSync(file)), part).values())]
    .filter((t) => ATTENTION_LAYERS.test(t.modulePath))
    .map((t) => ({ key: targetKey(part, t.modulePath), out: t.out, inner: t.inner }));
  const tmp = mkdtempSync(join(tmpdir(), 'atelier-bench-lora-part-'));
  try {
    const loraFile = join(tmp, 'a.safetensors');
    writeLora(loraFile, layers, Number(arg('--rank') ?? 16), 1);
    log('start');
    let session: OnnxPart | undefined = await OnnxPart.create(file, 'cpu');
    log('session from the file');
    await session.release();
    log('released');
    // no cache: the variant is not kept beside the session
    const { plans } = new LoraMerger(0).plan([{ part, file }], [{ name: 'a', file: loraFile, strength: 0.8 }]);
    let source: SessionSource | undefined = plans[0]!.source!();
    log(`merged source built (${(source.bytes / 2 ** 20).toFixed(0)} MiB)`);
    session = await OnnxPart.create(file, 'cpu', () => source!);
    log('session from the merge, source held');
    source = undefined;
    log('source dropped');
    await session.release();
    log('released');
    session = await OnnxPart.create(file, 'cpu');
    log('session from the file again');
    await session.release();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
