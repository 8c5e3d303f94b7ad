import { resolve } from 'node:path';
import { readModelFolder } from '../models/modelFolder.js';
import { loadTokenizer } from '../engine/textEncoder.js';
import type { ClipTokenizer } from '../engine/tokenizer/clipTokenizer.js';
import { promptTokenInfo } from '../engine/prompt/promptTokens.js';

/**
 * Token counts for the prompt fields, on the host thread: BPE on a prompt takes well under a millisecond,
 * and the engine thread is blocked inside the UNet while a job runs, so asking it would freeze the counter.
 */
export class PromptTokens {
  private readonly cache = new Map<string, ClipTokenizer>();

  count(modelDir: string, text: string): { tokenCount: number; maxTokens: number; chunks: number } {
    const key = resolve(modelDir);
    let tok = this.cache.get(key);
    if (!tok) {
      tok = loadTokenizer(readModelFolder(key).tokenizer);
      this.cache.set(key, tok);
    }
    const t = promptTokenInfo(tok, text);
    return { tokenCount: t.tokenCount, maxTokens: t.maxTokens, chunks: t.chunks.length };
  }
}
