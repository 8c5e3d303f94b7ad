import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { sourceSessionOptions, type SessionSource } from '../lora/sessionSource.js';
import { EngineError } from '../types.js';
import { fromHalfArray, toHalfArray } from '../../onnx/float16.js';
import { PROVIDER_LABELS, providerCandidates, type ProviderPreference } from './providers.js';
import { DEFAULT_SESSION_TUNING, tuningSessionOptions, type SessionTuning } from './sessionTuning.js';
import { toUserMessage } from '../../../shared/userError.js';

export interface IoSpec {
  name: string;
  type: ort.Tensor.Type;
  /** Declared dims; strings are symbolic, [] means scalar or undeclared. */
  shape: ReadonlyArray<number | string>;
}

export interface PartLoad {
  provider: string;
  /** Set when a preferred provider failed and the part runs on a fallback. */
  notice?: string;
}

/** Providers that failed once in this process are not retried for every part. */
const failedProviders = new Map<string, string>();

/**
 * onnxruntime-node's CUDA provider is a separate library that its installer fetches on Linux x64
 * (skipped with ONNXRUNTIME_NODE_INSTALL=skip). Without it, trying CUDA only prints a native error.
 */
function missingProviderLibrary(provider: string): string | undefined {
  if (provider !== 'cuda' && provider !== 'tensorrt') return undefined;
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const bin = join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
    if (existsSync(join(bin, `libonnxruntime_providers_${provider}.so`))) return undefined;
  } catch {
    // Unusual layout (bundled app): let the runtime try and report.
    return undefined;
  }
  return `${PROVIDER_LABELS[provider] ?? provider} libraries are not installed (npm install --onnxruntime-node-install=cuda12)`;
}

/** What a part of a pipeline is called in messages, from its folder (unet/model.onnx → "UNet"). */
export function partLabel(file: string): string {
  const folder = file.replace(/\\/g, '/').split('/').slice(-2, -1)[0] ?? '';
  const labels: Record<string, string> = {
    unet: 'UNet',
    text_encoder: 'text encoder',
    text_encoder_2: 'second text encoder',
    vae_decoder: 'VAE decoder',
    vae_encoder: 'VAE encoder',
    safety_checker: 'safety checker',
  };
  return labels[folder] ?? (folder || 'network');
}

function describe(meta: readonly ort.InferenceSession.ValueMetadata[]): Map<string, IoSpec> {
  const map = new Map<string, IoSpec>();
  for (const m of meta) {
    if (!m.isTensor) continue;
    map.set(m.name, { name: m.name, type: m.type, shape: m.shape });
  }
  return map;
}

/**
 * One ONNX model of a pipeline (text encoder, UNet, VAE half): its session plus what it declares.
 * Callers adapt to the declared names and types instead of assuming an exporter's conventions.
 */
export class OnnxPart {
  private constructor(
    readonly file: string,
    private session: ort.InferenceSession | undefined,
    readonly inputs: Map<string, IoSpec>,
    readonly outputs: Map<string, IoSpec>,
    readonly load: PartLoad,
  ) {}

  /**
   * `source`: build the session from weights held in memory (a LoRA merge) instead of the file,
   * which is then only named in messages.
   */
  static async create(file: string, pref: ProviderPreference, source?: () => SessionSource, tuning: SessionTuning = DEFAULT_SESSION_TUNING): Promise<OnnxPart> {
    const candidates = providerCandidates(pref, process.platform, process.arch);
    // Built once for all provider attempts. onnxruntime copies in-memory weights into its own tensors, so the
    // merged buffers are garbage once the session exists: nothing here or in the caller keeps them.
    const inMemory = source?.();
    const failures: string[] = [];
    for (const provider of candidates) {
      const knownFailure = failedProviders.get(provider);
      if (knownFailure) {
        failures.push(knownFailure);
        continue;
      }
      const missing = missingProviderLibrary(provider);
      if (missing) {
        failedProviders.set(provider, missing);
        failures.push(missing);
        continue;
      }
      try {
        const options: ort.InferenceSession.SessionOptions = {
          executionProviders: [provider],
          graphOptimizationLevel: 'all',
          ...tuningSessionOptions(tuning),
          // A GPU provider that cannot start is expected on many machines: we report it once as a
          // notice, so keep the runtime's own error log for it off the user's terminal.
          // Run failures are reported as one sentence (run() below), so the runtime's own log stays quiet too.
          logSeverityLevel: 4 as const,
          // DirectML cannot run with memory patterns or parallel execution.
          ...(provider === 'dml' ? { enableMemPattern: false, executionMode: 'sequential' as const } : {}),
        };
        const session = inMemory
          ? await ort.InferenceSession.create(inMemory.model, {
            ...options,
            extra: { ...options.extra, session: { ...(options.extra?.['session'] as Record<string, string> | undefined), ...sourceSessionOptions(inMemory) } },
            ...(inMemory.externalData.length > 0 ? { externalData: inMemory.externalData.filter((e) => e.data.length > 0) } : {}),
          })
          : await ort.InferenceSession.create(file, options);
        const notice = failures.length > 0
          ? `${failures.join('; ')}; running on ${PROVIDER_LABELS[provider] ?? provider}`
          : undefined;
        return new OnnxPart(file, session, describe(session.inputMetadata), describe(session.outputMetadata), { provider, notice });
      } catch (error) {
        const reason = toUserMessage(error);
        if (provider === 'cpu') {
          throw new EngineError(`cannot load ${file}: ${reason}`, 'invalid-model');
        }
        const message = `${PROVIDER_LABELS[provider] ?? provider} could not start (${reason})`;
        failedProviders.set(provider, message);
        failures.push(message);
      }
    }
    throw new EngineError(`no execution provider could load ${file}`, 'runtime');
  }

  input(name: string): IoSpec | undefined {
    return this.inputs.get(name);
  }

  requireInput(...names: string[]): IoSpec {
    for (const n of names) {
      const spec = this.inputs.get(n);
      if (spec) return spec;
    }
    throw new EngineError(
      `${this.file} has none of the inputs ${names.join(', ')} (it declares ${[...this.inputs.keys()].join(', ')})`,
      'invalid-model',
    );
  }

  requireOutput(...names: string[]): IoSpec {
    for (const n of names) {
      const spec = this.outputs.get(n);
      if (spec) return spec;
    }
    throw new EngineError(
      `${this.file} has none of the outputs ${names.join(', ')} (it declares ${[...this.outputs.keys()].join(', ')})`,
      'invalid-model',
    );
  }

  async run(feeds: Record<string, ort.Tensor>, fetches?: string[]): Promise<Record<string, ort.Tensor>> {
    if (!this.session) throw new EngineError('model was released', 'runtime');
    try {
      return fetches ? await this.session.run(feeds, fetches) : await this.session.run(feeds);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (/out of memory|bad_alloc|cudaErrorMemoryAllocation|failed to allocate/i.test(reason)) {
        throw new EngineError(`out of memory while running ${this.file}: try a smaller size or batch`, 'out-of-memory');
      }
      // The runtime's text (node names, shapes) means nothing to a user: one sentence, the text kept as detail.
      throw new EngineError(
        `The model's ${partLabel(this.file)} could not run with these settings; try the model's recommended size, and re-import the model if it keeps failing.`,
        'runtime',
        reason.split('\n')[0],
      );
    }
  }

  async release(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await s.release();
  }
}

/** A float tensor in the dtype the input declares (fp16 models take Uint16 bit patterns). */
export function floatTensor(spec: IoSpec, data: Float32Array, dims: readonly number[]): ort.Tensor {
  if (spec.type === 'float16') return new ort.Tensor('float16', toHalfArray(data), dims);
  if (spec.type === 'float32') return new ort.Tensor('float32', data, dims);
  throw new EngineError(`input ${spec.name} has type ${spec.type}, expected a float tensor`, 'invalid-model');
}

/** Integer ids in the dtype the input declares (int32 or int64). */
export function intTensor(spec: IoSpec, values: ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  if (spec.type === 'int64') return new ort.Tensor('int64', BigInt64Array.from(Array.from(values, (v) => BigInt(v))), dims);
  if (spec.type === 'int32') return new ort.Tensor('int32', Int32Array.from(values), dims);
  if (spec.type === 'float32' || spec.type === 'float16') return floatTensor(spec, Float32Array.from(values), dims);
  throw new EngineError(`input ${spec.name} has type ${spec.type}, expected integer ids`, 'invalid-model');
}

/** Any float output as Float32Array (fp16 decoded). */
export function readFloats(tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return fromHalfArray(tensor.data as Uint16Array);
  throw new Error(`expected a float output, got ${tensor.type}`);
}
