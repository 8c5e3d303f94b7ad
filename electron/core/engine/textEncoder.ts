import { readFileSync } from 'node:fs';
import type { ModelLayout, TokenizerFiles } from '../models/modelFolder.js';
import { intTensor, readFloats, type OnnxPart } from './onnx/part.js';
import type { PartSlot } from './onnx/partSlot.js';
import { chunkPrompt, emptyChunk, type PromptChunk } from './prompt/chunks.js';
import { applyEmphasis } from './prompt/emphasis.js';
import { promptTokenInfo, type PromptTokenInfo } from './prompt/promptTokens.js';
import { ClipTokenizer, tokenizerOptionsFromConfig } from './tokenizer/clipTokenizer.js';
import { EngineError } from './types.js';

/** Hidden states for the UNet's cross-attention, plus SDXL's pooled embedding. */
export interface PromptEmbedding {
  /** [77 × chunks, D] row-major. */
  hidden: Float32Array;
  sequenceLength: number;
  width: number;
  /** SDXL: the second encoder's projected pooled output, [P]. */
  pooled?: Float32Array;
}

export function loadTokenizer(files: TokenizerFiles): ClipTokenizer {
  let vocab: Record<string, number>;
  try {
    vocab = JSON.parse(readFileSync(files.vocabJson, 'utf8')) as Record<string, number>;
  } catch {
    throw new EngineError(`tokenizer vocabulary is unreadable: ${files.vocabJson}`, 'invalid-model');
  }
  const merges = readFileSync(files.mergesTxt, 'utf8');
  return new ClipTokenizer(vocab, merges, tokenizerOptionsFromConfig(files.tokenizerConfig, files.specialTokensMap, vocab));
}

/** `hidden_states.N` outputs sorted by N (index 0 is the embedding layer). */
function hiddenStateOutputs(part: OnnxPart): string[] {
  return [...part.outputs.keys()]
    .filter((n) => /^hidden_states\.\d+$/.test(n))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

interface EncoderOutput {
  hidden: Float32Array;
  sequenceLength: number;
  width: number;
  pooled?: Float32Array;
}

async function runEncoder(part: OnnxPart, inputIds: number[], penultimate: boolean): Promise<EncoderOutput> {
  const idsSpec = part.requireInput('input_ids');
  const length = inputIds.length;
  const feeds = { [idsSpec.name]: intTensor(idsSpec, inputIds, [1, length]) };
  const out = await part.run(feeds);
  const layers = hiddenStateOutputs(part);
  // SDXL conditions on the penultimate layer of both encoders (diffusers `hidden_states[-2]`).
  const hiddenName = penultimate && layers.length >= 2 ? layers[layers.length - 2]! : part.requireOutput('last_hidden_state').name;
  const hiddenTensor = out[hiddenName]!;
  const hidden = readFloats(hiddenTensor);
  const width = Number(hiddenTensor.dims[hiddenTensor.dims.length - 1]);
  const pooledName = part.outputs.has('text_embeds') ? 'text_embeds' : undefined;
  const pooled = pooledName ? readFloats(out[pooledName]!) : undefined;
  return { hidden: Float32Array.from(hidden), sequenceLength: length, width, pooled: pooled && Float32Array.from(pooled) };
}

/**
 * One encoder over a chunked prompt: each 77-token chunk encoded on its own, weighted (A1111 emphasis),
 * and the chunks concatenated along the sequence axis; pooled from the first chunk.
 */
async function encodeChunks(part: OnnxPart, chunks: PromptChunk[], penultimate: boolean): Promise<EncoderOutput> {
  const parts: EncoderOutput[] = [];
  for (const chunk of chunks) {
    const out = await runEncoder(part, chunk.inputIds, penultimate);
    parts.push({ ...out, hidden: applyEmphasis(out.hidden, chunk.weights, out.width) });
  }
  const { width } = parts[0]!;
  const sequenceLength = parts.reduce((n, p) => n + p.sequenceLength, 0);
  const hidden = new Float32Array(sequenceLength * width);
  let offset = 0;
  for (const p of parts) {
    hidden.set(p.hidden, offset);
    offset += p.hidden.length;
  }
  return { hidden, sequenceLength, width, pooled: parts[0]!.pooled };
}

function padChunks(chunks: PromptChunk[], count: number, tok: ClipTokenizer): PromptChunk[] {
  const out = [...chunks];
  while (out.length < count) out.push(emptyChunk(tok));
  return out;
}

/**
 * Turns prompts into the conditioning a UNet expects: one encoder for SD1/SD2, two for SDXL
 * (penultimate hidden states concatenated along the feature axis, pooled from the second).
 * Prompts use A1111's syntax: weights, BREAK, and any length in 75-token chunks.
 */
export class TextConditioner {
  constructor(
    private readonly layout: ModelLayout,
    readonly tokenizer: ClipTokenizer,
    private readonly encoder: PartSlot,
    readonly tokenizer2?: ClipTokenizer,
    private readonly encoder2?: PartSlot,
  ) {}

  /** Frees the encoders' memory until the next encode loads them again. */
  async releaseEncoders(): Promise<void> {
    await this.encoder.release();
    await this.encoder2?.release();
  }

  tokenize(text: string): PromptTokenInfo {
    return promptTokenInfo(this.tokenizer, text);
  }

  /** Chunks the prompt needs (the most any of the model's tokenizers needs). */
  chunkCount(text: string): number {
    const first = chunkPrompt(text, this.tokenizer).chunks.length;
    return this.tokenizer2 ? Math.max(first, chunkPrompt(text, this.tokenizer2).chunks.length) : first;
  }

  /**
   * `chunks`: pad with empty chunks to this many, so prompts batched together (negative and positive,
   * regions) have the same sequence length, as A1111 pads the shorter one.
   */
  async encode(text: string, opts: { zeroIfEmpty?: boolean; chunks?: number } = {}): Promise<PromptEmbedding> {
    const isXL = this.encoder2 !== undefined;
    const count = Math.max(opts.chunks ?? 0, this.chunkCount(text));
    const first = await encodeChunks(await this.encoder.get(), padChunks(chunkPrompt(text, this.tokenizer).chunks, count, this.tokenizer), isXL);
    let result: PromptEmbedding = first;
    if (isXL) {
      const tok2 = this.tokenizer2!;
      const second = await encodeChunks(await this.encoder2!.get(), padChunks(chunkPrompt(text, tok2).chunks, count, tok2), true);
      if (second.sequenceLength !== first.sequenceLength) {
        throw new EngineError(`${this.layout.name}: the two text encoders disagree on sequence length`, 'invalid-model');
      }
      const width = first.width + second.width;
      const hidden = new Float32Array(first.sequenceLength * width);
      for (let t = 0; t < first.sequenceLength; t++) {
        hidden.set(first.hidden.subarray(t * first.width, (t + 1) * first.width), t * width);
        hidden.set(second.hidden.subarray(t * second.width, (t + 1) * second.width), t * width + first.width);
      }
      result = { hidden, sequenceLength: first.sequenceLength, width, pooled: second.pooled };
    }
    // SDXL's config `force_zeros_for_empty_prompt`: an empty negative prompt is zeros, not the encoding of "".
    if (opts.zeroIfEmpty && text.trim() === '') {
      result = { ...result, hidden: new Float32Array(result.hidden.length), pooled: result.pooled && new Float32Array(result.pooled.length) };
    }
    return result;
  }
}
