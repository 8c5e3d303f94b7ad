import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../electron/core/engine/loadedModel.js';
import { targetKey } from '../electron/core/models/loraFile.js';
import { LoraMerger, type LoraRequest } from '../electron/core/engine/lora/loraMerger.js';
import { readOnnxGraph } from '../electron/core/engine/lora/onnxProto.js';
import { findTargets } from '../electron/core/engine/lora/targets.js';
import { floatToHalf } from '../electron/core/onnx/float16.js';
import { readModelFolder } from '../electron/core/models/modelFolder.js';
import { checkWeightFiles } from '../electron/core/models/weightFiles.js';

/**
 * `npm run bench -- lora --model DIR [--rank R] [--quick]`: merging LoRAs into a model in memory and
 * switching between them. Writes two synthetic kohya LoRAs (every attention, feed-forward and
 * projection layer of the UNet and every text-encoder linear, rank R, fp16) to a temp folder,
 * then times and measures peak memory for: first merge + session, a second LoRA, back to the first
 * (cached merge: one session reload), and back to no LoRA. The model folder is checked unchanged.
 */
/** The layers the synthetic LoRAs change: attention, feed-forward and projections (UNet), attention and MLP (CLIP). */
export const ATTENTION_LAYERS = /(attn[12]\.(to_q|to_k|to_v|to_out\.0)|ff\.net\.(0\.proj|2)|proj_in|proj_out|self_attn\.(q|k|v|out)_proj|mlp\.fc[12])$/;

export function writeLora(file: string, layers: Array<{ key: string; out: number; inner: number }>, rank: number, seed: number): number {
  const header: Record<string, unknown> = {};
  const blobs: Uint8Array[] = [];
  let offset = 0;
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.02;
  const add = (name: string, shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const h = new Uint16Array(n);
    for (let i = 0; i < n; i++) h[i] = floatToHalf(rand());
    header[name] = { dtype: 'F16', shape, data_offsets: [offset, offset + n * 2] };
    blobs.push(new Uint8Array(h.buffer));
    offset += n * 2;
  };
  for (const l of layers) {
    add(`${l.key}.lora_down.weight`, [rank, l.inner]);
    add(`${l.key}.lora_up.weight`, [l.out, rank]);
    header[`${l.key}.alpha`] = { dtype: 'F32', shape: [], data_offsets: [offset, offset + 4] };
    blobs.push(new Uint8Array(Float32Array.from([rank / 2]).buffer));
    offset += 4;
  }
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([len, json, ...blobs]));
  return statSync(file).size;
}

const mb = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MB`;
/** Bytes this process has caused to be written to storage (Linux /proc/self/io), to show no merged copy lands on disk. */
const writtenBytes = (): number | undefined => {
  try {
    return Number(/^write_bytes: (\d+)/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
};
const peak = () => process.resourceUsage().maxRSS * 1024;
const rss = () => process.memoryUsage().rss;

export async function benchLora(args: string[]): Promise<void> {
  const dir = args[args.indexOf('--model') + 1];
  if (!args.includes('--model') || !dir) throw new Error('bench lora needs --model DIR (e.g. an SD 1.5 stand-in: npm run cli -- models standin sd15 --fp16 --out DIR)');
  const rank = args.includes('--rank') ? Number(args[args.indexOf('--rank') + 1]) : 16;
  const layout = readModelFolder(dir);
  const stamp = (f: string) => `${statSync(f).size}:${statSync(f).mtimeMs}`;
  const files = [layout.unet.file, layout.textEncoder.file];
  /** model.onnx plus its external data. */
  const unetBytes = checkWeightFiles([layout.unet.file]).fileBytes;
  const before = files.map(stamp);

  const layers: Array<{ key: string; out: number; inner: number }> = [];
  for (const [part, file] of [['unet', layout.unet.file], ['text_encoder', layout.textEncoder.file]] as const) {
    const targets = findTargets(readOnnxGraph(readFileSync(file)), part);
    for (const t of new Set(targets.values())) {
      if (ATTENTION_LAYERS.test(t.modulePath)) layers.push({ key: targetKey(part, t.modulePath), out: t.out, inner: t.inner });
    }
  }
  const tmp = mkdtempSync(join(tmpdir(), 'atelier-bench-lora-'));
  try {
    const a: LoraRequest = { name: 'a', file: join(tmp, 'a.safetensors'), strength: 0.8 };
    const b: LoraRequest = { name: 'b', file: join(tmp, 'b.safetensors'), strength: 0.6 };
    const size = writeLora(a.file, layers, rank, 1);
    writeLora(b.file, layers, rank, 2);
    console.log(`model ${layout.name} (${layout.family}), UNet ${mb(unetBytes)}; LoRA rank ${rank}: ${layers.length} layers, ${mb(size)} (fp16)`);

    let t = performance.now();
    const model = await loadModel(dir, 'cpu');
    console.log(`load model: ${((performance.now() - t) / 1000).toFixed(1)} s, rss ${mb(rss())}, peak ${mb(peak())}`);
    const merger = new LoraMerger();
    const written0 = writtenBytes();
    const step = async (label: string, reqs: LoraRequest[]) => {
      const rssBefore = rss();
      t = performance.now();
      merger.lastMerge = undefined;
      const r = await model.applyLoras(reqs, merger);
      const ms = performance.now() - t;
      // (re-read: TypeScript keeps the narrowing from the assignment above across the await)
      const last = merger.lastMerge as LoraMerger['lastMerge'];
      const merge = last ? `   (last part's merge ${(last.ms / 1000).toFixed(1)} s, ${mb(last.bytes)} held in JS)` : '';
      console.log(`${label.padEnd(38)} ${(ms / 1000).toFixed(1).padStart(6)} s   rss ${mb(rss()).padStart(8)} (was ${mb(rssBefore)})   peak so far ${mb(peak())}${merge}${r.warnings.length ? `   ${r.warnings.join('; ')}` : ''}`);
    };
    await step('LoRA a: merge + UNet/TE sessions', [a]);
    // --quick (full-size models on a loaded CPU): the first merge and the way back only.
    if (!args.includes('--quick')) {
      await step('LoRA b: merge + UNet/TE sessions', [b]);
      await step('back to a (merged weights cached)', [a]);
      await step('a + b at once: merge + sessions', [a, b]);
    }
    await step('no LoRA (weights on disk)', []);
    const written = writtenBytes();
    if (written0 !== undefined && written !== undefined) console.log(`written to disk by this process during the merges and session loads: ${mb(written - written0)} (a merged UNet would be ${mb(unetBytes)})`);
    await model.release();
    const after = files.map(stamp);
    console.log(`model files unchanged: ${after.every((s, i) => s === before[i])}; merged variants cached: ${merger.cachedVariants}; peak RSS ${mb(peak())} for ${mb(layout.weightBytes)} of weights on disk`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
