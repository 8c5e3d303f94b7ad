/**
 * Peak memory of one job, estimated before it runs (pure: numbers in, numbers out), so the engine can
 * refuse in one sentence what would otherwise swap the machine or die halfway. The coefficients are
 * fitted to peak RSS measured with `npm run bench -- memory` on the architecture-exact stand-ins
 * (SD 1.5, SD-Turbo, SDXL; table in README "Memory"); the estimate is meant to be within ±20 %.
 *
 * The engine runs the phases one after another, so the peak is the largest phase:
 *   loading: resident weights + a LoRA merge's transient copies (only with LoRAs)
 *   denoise: resident weights + UNet activations (batch 2 with guidance)
 *   decode:  resident weights + VAE decoder activations (full resolution, the peak at big sizes)
 */
import type { ModelFamily } from '../../contract/modelFamily.js';

export interface ModelMemoryFacts {
  family: ModelFamily;
  /** Bytes on disk per part (model.onnx + external data). */
  textEncoderBytes: number;
  unetBytes: number;
  vaeDecoderBytes: number;
  vaeEncoderBytes: number;
  /** 2 for fp16 weights, 4 for fp32 (per part: SDXL fp16 models keep an fp32 VAE). */
  unetElementBytes: number;
  vaeElementBytes: number;
  /** UNet attention as plain MatMul/Softmax (scores materialised) rather than a fused kernel. */
  plainAttention: boolean;
  /** UNet's first block width (320 for SD 1.x/2.x/XL) and attention heads at the first attention level. */
  unetChannels: number;
  firstAttentionHeads: number;
}

export interface JobShape {
  width: number;
  height: number;
  batch: number;
  /** Guidance > 1 runs the UNet on [uncond, cond]: twice the activations. */
  guidance: number;
  mode: 'txt2img' | 'img2img' | 'inpaint';
  /** Bytes on disk of each ControlNet the job uses (their weights are resident beside the UNet's). */
  controlNetBytes?: readonly number[];
  /**
   * Bytes of the weights the job's LoRAs change in the part that changes most (LoraMerger.mergeBytes): held
   * while that part's session is created from them, parts one at a time, before anything runs.
   */
  loraMergeBytes?: number;
}

export type MemoryDevice = 'cpu' | 'gpu';

export interface MemoryEstimate {
  /** Peak bytes the job needs with everything kept loaded. */
  peakBytes: number;
  /** Peak with the text encoders released after encoding (what the engine falls back to). */
  leanPeakBytes: number;
  weightBytes: number;
  unetActivationBytes: number;
  vaeActivationBytes: number;
  /** Transient bytes of creating a LoRA-merged session (0 without LoRAs). */
  loraMergeBytes: number;
}

/**
 * Fitted coefficients (CPU, onnxruntime 1.30, arena and memory patterns off):
 * - RUNTIME: Node, V8, onnxruntime's code and thread pools, tokenizers.
 * - UNET_PER_CHANNEL_CELL: live activation floats per latent cell per first-block channel per UNet batch item.
 * - VAE_PER_PIXEL: live activation bytes per output pixel of the VAE decoder (128-channel full-resolution tensors).
 * - CPU_FP16_WEIGHTS: the CPU has no fp16 kernels for most ops, so onnxruntime casts fp16 weights to fp32 at load.
 */
export const MEMORY_COEFFICIENTS = {
  RUNTIME: 0.25e9,
  UNET_PER_CHANNEL_CELL: 40,
  VAE_PER_PIXEL: 2600,
  CPU_FP16_WEIGHTS: 2,
  GPU_RUNTIME: 0.6e9,
  /**
   * ControlNet residuals held while the UNet runs (the running sum and one net's output), floats per latent
   * cell per first-block channel per batch item: SD's 12 + 1 residuals come to ≈5.1 of them per set.
   * Counted from the tensor shapes, not fitted: a ControlNet's own activations (its encoder half) stay
   * below the UNet's and do not raise the peak.
   */
  CONTROLNET_RESIDUALS_PER_CHANNEL_CELL: 10.2,
  /**
   * Copies of the merged weights alive while a LoRA-merged session is created: ours (the model buffer with the
   * merged weights inline) and onnxruntime's parse of it (0.6–0.8 × merged, measured). SD 1.5 stand-in, rank-16
   * LoRA on 264 layers (`bench lora`, issue 19): UNet merge 1.07 GB, peak 6.15 GB; this estimate 6.36 GB (+3 %).
   */
  LORA_MERGE_COPIES: 2,
} as const;

export function estimateJobMemory(m: ModelMemoryFacts, job: JobShape, device: MemoryDevice = 'cpu'): MemoryEstimate {
  const C = MEMORY_COEFFICIENTS;
  const upcast = (bytes: number, elementBytes: number) => (device === 'cpu' && elementBytes === 2 ? bytes * C.CPU_FP16_WEIGHTS : bytes);
  const actBytes = device === 'cpu' ? 4 : m.unetElementBytes;
  const text = upcast(m.textEncoderBytes, m.unetElementBytes);
  const unet = upcast(m.unetBytes, m.unetElementBytes);
  const vaeDec = upcast(m.vaeDecoderBytes, m.vaeElementBytes);
  const vaeEnc = job.mode === 'txt2img' ? 0 : upcast(m.vaeEncoderBytes, m.vaeElementBytes);
  const controlNets = (job.controlNetBytes ?? []).reduce((sum, bytes) => sum + upcast(bytes, m.unetElementBytes), 0);
  const weightBytes = text + unet + vaeDec + vaeEnc + controlNets;

  const unetBatch = job.guidance > 1 ? 2 : 1;
  const cells = (job.width / 8) * (job.height / 8);
  let unetAct = C.UNET_PER_CHANNEL_CELL * m.unetChannels * cells * unetBatch * actBytes;
  if (job.controlNetBytes?.length) unetAct += C.CONTROLNET_RESIDUALS_PER_CHANNEL_CELL * m.unetChannels * cells * unetBatch * actBytes;
  if (m.plainAttention) {
    // Scores and softmax output, [batch, heads, S, S] each, at the first attention level.
    const s = m.family === 'sdxl' ? cells / 4 : cells;
    unetAct += 2 * unetBatch * m.firstAttentionHeads * s * s * actBytes;
  }
  const vaeAct = C.VAE_PER_PIXEL * job.width * job.height * (device === 'cpu' ? 1 : m.vaeElementBytes / 4);
  // Result images (RGBA and their encoding) for every image of the batch.
  const images = job.batch * job.width * job.height * 8;
  const runtime = device === 'cpu' ? C.RUNTIME : C.GPU_RUNTIME;
  const peakWith = (resident: number) => runtime + resident + Math.max(unetAct, vaeAct) + images;
  // LoRAs are merged when the sessions are (re)created, with every part loaded and no activations alive yet.
  const loraMerge = C.LORA_MERGE_COPIES * (job.loraMergeBytes ?? 0);
  const loading = runtime + weightBytes + loraMerge;
  return {
    peakBytes: Math.max(loading, peakWith(weightBytes)),
    leanPeakBytes: Math.max(loading, peakWith(weightBytes - text)),
    weightBytes,
    unetActivationBytes: unetAct,
    vaeActivationBytes: vaeAct,
    loraMergeBytes: loraMerge,
  };
}

export type MemoryDecision =
  | { run: true; releaseTextEncoders: boolean; estimate: MemoryEstimate }
  | { run: false; sentence: string; estimate: MemoryEstimate };

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/** The largest size with the same aspect ratio (multiples of 64, at least 256 px) whose estimate fits. */
function sizeThatFits(m: ModelMemoryFacts, job: JobShape, free: number, device: MemoryDevice): { width: number; height: number } | undefined {
  for (let scale = 0.95; scale > 0.05; scale -= 0.05) {
    const width = Math.max(64, Math.floor((job.width * scale) / 64) * 64);
    const height = Math.max(64, Math.floor((job.height * scale) / 64) * 64);
    if (width === job.width && height === job.height) continue;
    if (Math.min(width, height) < 256) return undefined;
    if (estimateJobMemory(m, { ...job, width, height }, device).leanPeakBytes <= free) return { width, height };
  }
  return undefined;
}

/**
 * Run with everything loaded when that fits; else with the text encoders released after encoding;
 * else refuse with one sentence ("needs ≈14.2 GB, 9.8 GB free: try 768×768 or batch 1").
 */
export function decideMemory(m: ModelMemoryFacts, job: JobShape, freeBytes: number, device: MemoryDevice = 'cpu'): MemoryDecision {
  const estimate = estimateJobMemory(m, job, device);
  if (estimate.peakBytes <= freeBytes) return { run: true, releaseTextEncoders: false, estimate };
  if (estimate.leanPeakBytes <= freeBytes) return { run: true, releaseTextEncoders: true, estimate };
  const where = device === 'gpu' ? 'GPU memory' : 'free';
  const tries: string[] = [];
  const size = sizeThatFits(m, job, freeBytes, device);
  if (size) tries.push(`${size.width}×${size.height}`);
  if (job.batch > 1 && estimateJobMemory(m, { ...job, batch: 1 }, device).leanPeakBytes <= freeBytes) tries.push('batch 1');
  if (job.loraMergeBytes && estimateJobMemory(m, { ...job, loraMergeBytes: 0 }, device).leanPeakBytes <= freeBytes) tries.push('without LoRAs');
  const advice = tries.length > 0 ? `: try ${tries.join(' or ')}` : ': close other programs or use a smaller model';
  return { run: false, sentence: `needs ≈${gb(estimate.leanPeakBytes)}, ${gb(freeBytes)} ${where}${advice}`, estimate };
}

/** "≈5.1 GB of 20.3 GB free" for the app's label beside Generate. */
export function describeEstimate(decision: MemoryDecision, freeBytes: number): string {
  const need = decision.run && !decision.releaseTextEncoders ? decision.estimate.peakBytes : decision.estimate.leanPeakBytes;
  return `≈${gb(need)} of ${gb(freeBytes)} free`;
}
