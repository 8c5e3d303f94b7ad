import { readFileSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname } from 'node:path';
import { EngineError } from '../types.js';
import { readLoraLayers, type LoraContents, type LoraPart } from '../../models/loraFile.js';
import { matchLoras, mergeWeights, type LoraFit, type WeightedLora } from './merge.js';
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
  source?: () => SessionSource;
}

/**
 * Reads LoRA files and model graphs once, merges LoRAs into the weights of a model's UNet and
 * text encoders, and keeps merged variants (only the changed weights) while memory allows, so
 * switching back to a LoRA set costs one session reload and no merge.
 */
export class LoraMerger {
  private readonly files = new Map<string, { stamp: string; contents: LoraContents }>();
  private readonly merged = new Map<string, { weights: Map<string, Uint8Array>; bytes: number }>();
  private mergedBytes = 0;

  /** Merged variants kept: a quarter of RAM, at most 2 GiB. */
  constructor(private readonly cacheLimitBytes = Math.min(2 * 1024 ** 3, totalmem() / 4)) {}

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
    if (active.length === 0) return { plans: parts.map((p) => ({ ...p, key: '' })), warnings: [] };
    const loras: WeightedLora[] = active.map((r) => ({ name: r.name, strength: r.strength, contents: this.load(r) }));
    const graphs = new Map(parts.map((p) => [p.part, readOnnxGraph(readFileSync(p.file))]));
    const targets = new Map<LoraPart, Map<string, LoraTarget>>();
    for (const p of parts) targets.set(p.part, findTargets(graphs.get(p.part)!, p.part));
    const { fits, planned } = matchLoras(loras, targets);
    const warnings = fits.flatMap((f) => fitMessages(f));
    const plans: PartPlan[] = parts.map((p) => {
      const mine = planned.filter((x) => x.layer.part === p.part);
      if (mine.length === 0) return { ...p, key: '' };
      const stamps = active.filter((r) => mine.some((m) => m.lora.name === r.name)).map((r) => `${r.file}@${this.files.get(r.file)?.stamp}:${r.strength}`);
      const key = `${p.file}|${stamps.join('|')}`;
      const graph = graphs.get(p.part)!;
      return {
        ...p,
        key,
        source: () => {
          let entry = this.merged.get(key);
          if (!entry) {
            const weights = mergeWeights(mine, graph, dirname(p.file));
            entry = { weights, bytes: [...weights.values()].reduce((n, w) => n + w.length, 0) };
            this.remember(key, entry);
          } else {
            // most recently used last
            this.merged.delete(key);
            this.merged.set(key, entry);
          }
          return buildSessionSource(graph, dirname(p.file), entry.weights);
        },
      };
    });
    return { plans, warnings };
  }

  private remember(key: string, entry: { weights: Map<string, Uint8Array>; bytes: number }): void {
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

