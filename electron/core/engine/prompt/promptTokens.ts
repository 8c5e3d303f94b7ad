/**
 * What a prompt becomes for one tokenizer: A1111-style weighted chunks, and the figures the prompt
 * counter and `tokenize --json` show. Pure.
 */
import { CHUNK_TOKENS, chunkPrompt, type ChunkTokenizer, type PromptChunk } from './chunks.js';

export interface PromptTokenInfo {
  /** The first chunk's ids (what a 77-token encoder sees first). */
  inputIds: number[];
  /** Prompt tokens, without bos/eos/padding. */
  tokenCount: number;
  /** Tokens one chunk holds (75). */
  maxTokens: number;
  chunks: PromptChunk[];
}

export function promptTokenInfo(tok: ChunkTokenizer, text: string): PromptTokenInfo {
  const { chunks, tokenCount } = chunkPrompt(text, tok);
  return { inputIds: chunks[0]!.inputIds, tokenCount, maxTokens: CHUNK_TOKENS, chunks };
}
