import { readFileSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname } from 'node:path';
import { EngineError } from '../types.js';
import type { ModelLayout } from '../../models/modelFolder.js';
import { readLoraLayers, type LoraContents, type LoraPart } from '../../models/loraFile.js';
import { matchLoras, mergedSizes, mergeEach, type LoraFit, type WeightedLora } from './merge.js';
import { readOnnxGraph } from './onnxProto.js';
import { readSafetensors, SafetensorsError } from '../../models/safetensors.js';
import { buildSessionSource, type SessionSource } from './sessionSource.js';
import { findTargets, type LoraTarget } from './targets.js';

/** A LoRA file the engine is asked to apply (the host resolves names to files). */
export interface LoraRequest {
  name: string;
  file: string;
  strength: number;
}

/** What one model part needs to be created with the requested LoRAs merged in. */
export interface PartPlan {
  part: LoraPart;
  file: string;
  /** Identifies the merged variant (file + LoRAs + strengths); '' = the part as it is on disk. */
  key: string;
  /** Bytes of the weights the LoRAs change (in the model's own type): what the merge holds while the session loads. */
  mergedBytes: number;
  /** Builds the merged weights (or takes them from the cache); reads the model file again, holds no graph. */
  source?: () => SessionSource;
}

/** The parts of a model folder a LoRA can change, as plan() takes them. */
export function loraParts(layout: ModelLayout): Array<{ part: LoraPart; file: string }> {
  return [
    { part: 'text_encoder', file: layout.textEncoder.file },
    ...(layout.textEncoder2 ? [{ part: 'text_encoder_2' as const, file: layout.textEncoder2.file }] : []),
    { part: 'unet', file: layout.unet.file },
  ];
}

/**
 * Merged variants kept for switching back without a merge: only small ones. A full-size UNet's merged
 * weights (≈1 GB for SD 1.5's attention layers) kept beside its session would cost more memory than the
 * merge costs time (bench: the session reload dominates), so those are merged again when asked for.
 */
const DEFAULT_CACHE_BYTES = Math.min(256 * 1024 ** 2, totalmem() / 16);

/**
 * Reads LoRA files and model graphs, merges LoRAs into the weights of a model's UNet and text encoders
 * one weight at a time, and keeps small merged variants (only the changed weights), so switching back
 * to such a LoRA set costs one session reload and no merge.
 */
export class LoraMerger {
  private readonly files = new Map<string, { stamp: string; contents: LoraContents }>();
  private readonly targets = new Map<string, { stamp: string; targets: Map<string, LoraTarget> }>();
  private readonly merged = new Map<string, { source: SessionSource; bytes: number }>();
  private mergedBytes = 0;
  /** The last merge (for the bench): how long merging and building the session's model took, and the bytes held. */
  lastMerge?: { ms: number; bytes: number };

  /**
   * `inlineLimitBytes`: the largest model that carries its merged weights inline (sessionSource.ts; default
   * protobuf's limit); above it they go to onnxruntime as in-memory files.
   */
  constructor(
    private readonly cacheLimitBytes = DEFAULT_CACHE_BYTES,
    private readonly inlineLimitBytes?: number,
  ) {}

  /** The weights of a model file a LoRA can change (read once per file version; no tensor data kept). */
  private targetsOf(part: LoraPart, file: string): Map<string, LoraTarget> {
    const st = statSync(file);
    const stamp = `${st.size}:${st.mtimeMs}`;
    const hit = this.targets.get(`${part}:${file}`);
    if (hit?.stamp === stamp) return hit.targets;
    const targets = findTargets(readOnnxGraph(readFileSync(file)), part);
    if (this.targets.size >= 8) this.targets.delete(this.targets.keys().next().value!);
    this.targets.set(`${part}:${file}`, { stamp, targets });
    return targets;
  }

  /**
   * Bytes the largest part's merge holds while its session loads (parts are reloaded one at a time), for the
   * memory estimate; 0 without LoRAs. Throws the same sentence as plan() for a LoRA that does not fit.
   */
  mergeBytes(parts: ReadonlyArray<{ part: LoraPart; file: string }>, requests: readonly LoraRequest[]): number {
    return Math.max(0, ...this.plan(parts, requests).plans.map((p) => p.mergedBytes));
  }

  load(req: LoraRequest): LoraContents {
    let stat;
    try {
      stat = statSync(req.file);
    } catch {
      throw new EngineError(`LoRA "${req.name}" is not there any more (${req.file})`);
    }
    const stamp = `${stat.size}:${stat.mtimeMs}`;
    const cached = this.files.get(req.file);
    if (cached?.stamp === stamp) return cached.contents;
    let contents: LoraContents;
    try {
      contents = readLoraLayers(readSafetensors(req.file));
    } catch (error) {
      if (error instanceof SafetensorsError) throw new EngineError(`LoRA "${req.name}" cannot be read: ${error.message}`);
      throw error;
    }
    if (contents.layers.length === 0) {
      const kinds = [...contents.unsupported.keys()];
      throw new EngineError(kinds.length > 0
        ? `LoRA "${req.name}" is a ${kinds.join(' / ')} file, which Atelier cannot merge yet (only LoRA and LoCon layers)`
        : `"${req.name}" holds no LoRA layers (no lora_down/lora_up or lora_A/lora_B weights)`);
    }
    if (this.files.size >= 8) this.files.delete(this.files.keys().next().value!);
    this.files.set(req.file, { stamp, contents });
    return contents;
  }

  /**
   * Plans each part (`unet`, `text_encoder`, `text_encoder_2` → its model.onnx) for the LoRAs:
   * checks every LoRA fits (throws one sentence when none of a LoRA's layers match), and returns
   * warnings for partial fits and for layer kinds that were skipped.
   */
  plan(parts: ReadonlyArray<{ part: LoraPart; file: string }>, requests: readonly LoraRequest[]): { plans: PartPlan[]; warnings: string[] } {
    const active = requests.filter((r) => r.strength !== 0);
    if (active.length === 0) return { plans: parts.map((p) => ({ ...p, key: '', mergedBytes: 0 })), warnings: [] };
    const loras: WeightedLora[] = active.map((r) => ({ name: r.name, strength: r.strength, contents: this.load(r) }));
    const targets = new Map<LoraPart, Map<string, LoraTarget>>();
    for (const p of parts) targets.set(p.part, this.targetsOf(p.part, p.file));
    const { fits, planned } = matchLoras(loras, targets);
    const warnings = fits.flatMap((f) => fitMessages(f));
    const plans: PartPlan[] = parts.map((p) => {
      const mine = planned.filter((x) => x.layer.part === p.part);
      if (mine.length === 0) return { ...p, key: '', mergedBytes: 0 };
      const stamps = active.filter((r) => mine.some((m) => m.lora.name === r.name)).map((r) => `${r.file}@${this.files.get(r.file)?.stamp}:${r.strength}`);
      const key = `${p.file}|${stamps.join('|')}`;
      const sizes = mergedSizes(mine);
      return {
        ...p,
        key,
        mergedBytes: [...sizes.values()].reduce((a, b) => a + b, 0),
        source: () => {
          const cached = this.merged.get(key);
          if (cached) {
            // most recently used last
            this.merged.delete(key);
            this.merged.set(key, cached);
            return cached.source;
          }
          // Read again rather than kept with the plan: a model with inline weights is all graph bytes.
          const graph = readOnnxGraph(readFileSync(p.file));
          const t = performance.now();
          const source = buildSessionSource(graph, dirname(p.file), sizes, mergeEach(mine, graph, dirname(p.file)), this.inlineLimitBytes);
          this.lastMerge = { ms: performance.now() - t, bytes: source.bytes };
          this.remember(key, { source, bytes: source.bytes });
          return source;
        },
      };
    });
    return { plans, warnings };
  }

  private remember(key: string, entry: { source: SessionSource; bytes: number }): void {
    if (entry.bytes > this.cacheLimitBytes) return;
    while (this.mergedBytes + entry.bytes > this.cacheLimitBytes && this.merged.size > 0) {
      const [oldKey, old] = this.merged.entries().next().value!;
      this.merged.delete(oldKey);
      this.mergedBytes -= old.bytes;
    }
    this.merged.set(key, entry);
    this.mergedBytes += entry.bytes;
  }

  /** Merged variants in memory now (for tests and the bench). */
  get cachedVariants(): number {
    return this.merged.size;
  }

  /** Bytes of merged weights the cache holds now. */
  get cachedBytes(): number {
    return this.mergedBytes;
  }
}

/** One sentence for a LoRA that fits only partly or carries layers we skip; throws when nothing fits. */
function fitMessages(f: LoraFit): string[] {
  const example = f.unmatchedExample ? ` (e.g. ${f.unmatchedExample})` : '';
  // A LoRA whose UNet layers all miss is for another model, even if a text-encoder layer happens to fit.
  if (f.matched === 0 || (f.unetTotal > 0 && f.unetMatched === 0)) {
    const unet = f.matched > 0 ? ', none of them in the UNet' : '';
    throw new EngineError(`LoRA "${f.name}" does not fit this model: ${f.matched} of its ${f.total} layers match a weight of the model${unet}${example}; it was probably made for another model family`);
  }
  const out: string[] = [];
  if (f.matched < f.total) {
    out.push(`LoRA "${f.name}": only ${f.matched} of its ${f.total} layers match this model; the other ${f.total - f.matched} are ignored${example}`);
  }
  for (const [kind, n] of f.unsupported) out.push(`LoRA "${f.name}": ${n} ${kind} weights skipped (not merged yet)`);
  return out;
}

