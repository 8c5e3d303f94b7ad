/**
 * Long prompts as AUTOMATIC1111 packs them (modules/sd_hijack_clip.py `tokenize_line`): 75 prompt tokens per
 * chunk, framed by bos/eos to the encoder's 77; when a chunk fills up and a comma sits within the last 20
 * tokens, the words after that comma move to the next chunk; BREAK closes the chunk early. Every token keeps
 * the weight of the fragment it came from; bos, eos and padding weigh 1.
 * Pure: the caller passes a tokenizer that maps text to ids (see ClipTokenizer.encodeIds).
 */
import { parsePromptAttention, type PromptFragment } from './attention.js';

export interface PromptChunk {
  /** bos, 75 ids (prompt, then eos padding), eos; after the first eos the tokenizer's pad id. */
  inputIds: number[];
  /** One per input id. */
  weights: number[];
}

export interface ChunkedPrompt {
  chunks: PromptChunk[];
  /** Prompt tokens, without bos/eos/padding. */
  tokenCount: number;
  /** True when some weight differs from 1 (the encoder can skip the re-weighting otherwise). */
  weighted: boolean;
}

export interface ChunkTokenizer {
  /** Ids of the text without bos/eos and without truncation. */
  encodeIds(text: string): number[];
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  /** Id of ',' at the end of a word (',</w>'), or undefined when the vocabulary has none. */
  readonly commaId: number | undefined;
}

/** A1111: prompt tokens per chunk, and how far back from the chunk's end a comma may pull words over. */
export const CHUNK_TOKENS = 75;
export const COMMA_BACKTRACK = 20;

export function chunkPrompt(text: string, tok: ChunkTokenizer): ChunkedPrompt {
  return chunkFragments(parsePromptAttention(text), tok);
}

export function chunkFragments(fragments: PromptFragment[], tok: ChunkTokenizer): ChunkedPrompt {
  const chunks: PromptChunk[] = [];
  let ids: number[] = [];
  let weights: number[] = [];
  let lastComma = -1;
  let tokenCount = 0;
  let weighted = false;

  const close = (): void => {
    const inputIds = [tok.bosId, ...ids];
    const w = [1, ...weights];
    // eos ends the text; the rest up to 76 is eos again in A1111, which SD2-style tokenizers then turn into pad.
    inputIds.push(tok.eosId);
    w.push(1);
    while (inputIds.length < CHUNK_TOKENS + 2) {
      inputIds.push(tok.padId);
      w.push(1);
    }
    chunks.push({ inputIds, weights: w });
    ids = [];
    weights = [];
    lastComma = -1;
  };

  for (const fragment of fragments) {
    if (fragment.isBreak) {
      close();
      continue;
    }
    if (fragment.weight !== 1) weighted = true;
    for (const id of tok.encodeIds(fragment.text)) {
      tokenCount++;
      if (id === tok.commaId) {
        lastComma = ids.length;
      } else if (ids.length === CHUNK_TOKENS && lastComma !== -1 && ids.length - lastComma <= COMMA_BACKTRACK) {
        // Keep the comma in this chunk; the words after it start the next one.
        const movedIds = ids.slice(lastComma + 1);
        const movedWeights = weights.slice(lastComma + 1);
        ids = ids.slice(0, lastComma + 1);
        weights = weights.slice(0, lastComma + 1);
        close();
        ids = movedIds;
        weights = movedWeights;
      }
      if (ids.length === CHUNK_TOKENS) close();
      ids.push(id);
      weights.push(fragment.weight);
    }
  }
  if (ids.length > 0 || chunks.length === 0) close();
  return { chunks, tokenCount, weighted };
}

/** A chunk with no prompt tokens: what the shorter of two prompts is padded with so both have as many chunks. */
export function emptyChunk(tok: ChunkTokenizer): PromptChunk {
  return chunkFragments([{ text: '', weight: 1 }], tok).chunks[0]!;
}
