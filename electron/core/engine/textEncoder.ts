import { readFileSync } from 'node:fs';
import type { ModelLayout, TokenizerFiles } from '../models/modelFolder.js';
import { intTensor, readFloats, type OnnxPart } from './onnx/part.js';
import { ClipTokenizer, tokenizerOptionsFromConfig, type TokenizedPrompt } from './tokenizer/clipTokenizer.js';
import { EngineError } from './types.js';

/** Hidden states for the UNet's cross-attention, plus SDXL's pooled embedding. */
export interface PromptEmbedding {
  /** [77, D] row-major. */
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

async function runEncoder(part: OnnxPart, tokens: TokenizedPrompt, penultimate: boolean): Promise<EncoderOutput> {
  const idsSpec = part.requireInput('input_ids');
  const length = tokens.inputIds.length;
  const feeds = { [idsSpec.name]: intTensor(idsSpec, tokens.inputIds, [1, length]) };
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
 * Turns prompts into the conditioning a UNet expects: one encoder for SD1/SD2, two for SDXL
 * (penultimate hidden states concatenated along the feature axis, pooled from the second).
 */
export class TextConditioner {
  constructor(
    private readonly layout: ModelLayout,
    readonly tokenizer: ClipTokenizer,
    private readonly encoder: OnnxPart,
    readonly tokenizer2?: ClipTokenizer,
    private readonly encoder2?: OnnxPart,
  ) {}

  tokenize(text: string): TokenizedPrompt {
    return this.tokenizer.encode(text);
  }

  async encode(text: string, opts: { zeroIfEmpty?: boolean } = {}): Promise<PromptEmbedding> {
    const isXL = this.encoder2 !== undefined;
    const first = await runEncoder(this.encoder, this.tokenizer.encode(text), isXL);
    let result: PromptEmbedding = first;
    if (isXL) {
      const second = await runEncoder(this.encoder2!, this.tokenizer2!.encode(text), true);
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
