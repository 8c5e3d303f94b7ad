import { statSync } from 'node:fs';
import type { ModelMemoryFacts } from '../engine/memoryEstimate.js';
import type { ModelLayout } from './modelFolder.js';
import type { summariseInitializers } from '../onnx/onnxProto.js';
import { checkWeightFiles, summaryOf } from './weightFiles.js';

/** model.onnx plus the external data it names. */
function bytesOf(file: string | undefined): number {
  return file ? checkWeightFiles([file]).fileBytes : 0;
}

const cache = new Map<string, { key: string; facts: ModelMemoryFacts }>();

function elementBytesOf(file: string): { elementBytes: number; ops: Set<string> } {
  let s: ReturnType<typeof summariseInitializers>;
  try {
    const st = statSync(file);
    s = summaryOf(file, st.size, st.mtimeMs);
  } catch {
    // A broken file: estimate as fp32 and let the session load say what is wrong with it.
    return { elementBytes: 4, ops: new Set() };
  }
  const half = s.byType['float16'] ?? 0;
  const full = s.byType['float32'] ?? 0;
  return { elementBytes: half > full ? 2 : 4, ops: s.opTypes };
}

/** What the memory estimate needs to know about a model folder (read once per folder and file dates). */
export function modelMemoryFacts(layout: ModelLayout): ModelMemoryFacts {
  const key = [layout.unet.file, layout.vaeDecoder.file].map((f) => `${f}:${statSync(f).mtimeMs}`).join('|');
  const hit = cache.get(layout.dir);
  if (hit?.key === key) return hit.facts;
  const unet = elementBytesOf(layout.unet.file);
  const vae = elementBytesOf(layout.vaeDecoder.file);
  const cfg = layout.unet.config;
  const blocks = Array.isArray(cfg['block_out_channels']) ? (cfg['block_out_channels'] as unknown[]) : [];
  const headsCfg = cfg['attention_head_dim'];
  const downTypes = Array.isArray(cfg['down_block_types']) ? (cfg['down_block_types'] as unknown[]) : [];
  const firstAttention = Math.max(0, downTypes.findIndex((t) => typeof t === 'string' && t.startsWith('CrossAttn')));
  const heads = Array.isArray(headsCfg) ? Number(headsCfg[firstAttention]) : Number(headsCfg);
  const facts: ModelMemoryFacts = {
    family: layout.family,
    textEncoderBytes: bytesOf(layout.textEncoder.file) + bytesOf(layout.textEncoder2?.file),
    unetBytes: bytesOf(layout.unet.file),
    vaeDecoderBytes: bytesOf(layout.vaeDecoder.file),
    vaeEncoderBytes: bytesOf(layout.vaeEncoder?.file),
    unetElementBytes: unet.elementBytes,
    vaeElementBytes: vae.elementBytes,
    plainAttention: !unet.ops.has('MultiHeadAttention') && !unet.ops.has('Attention'),
    unetChannels: typeof blocks[0] === 'number' ? blocks[0] : 320,
    firstAttentionHeads: Number.isFinite(heads) && heads > 0 ? heads : 8,
  };
  cache.set(layout.dir, { key, facts });
  return facts;
}
