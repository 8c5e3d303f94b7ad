/**
 * CLIP's byte-level BPE tokenizer, token for token the same as openai/CLIP `simple_tokenizer.py`
 * and Hugging Face `CLIPTokenizer` (see textCleaning.ts for the one place they differ).
 * Pure: the caller reads vocab.json / merges.txt and passes their contents.
 */
import { EngineError } from '../types.js';
import { byteToChar, charToByte } from './byteUnicode.js';
import { cleanPrompt } from './textCleaning.js';

export { tokenizerOptionsFromConfig } from './tokenizerConfig.js';

export interface ClipTokenizerOptions {
  /** Sequence length the text encoder takes, bos and eos included (77). */
  maxLength?: number;
  bosTokenId?: number;
  eosTokenId?: number;
  /** 49407 (eos) for SD1.x; 0 (`!`) for SD2.x and SDXL's tokenizer_2. */
  padTokenId?: number;
}

export interface TokenizedPrompt {
  /** Exactly maxLength ids: bos, up to maxLength-2 prompt ids, eos, padding. */
  inputIds: number[];
  /** Tokens of the prompt itself, without bos/eos, before truncation. */
  tokenCount: number;
  truncated: boolean;
  /** maxLength - 2, i.e. 75. */
  maxTokens: number;
  /** bos + kept tokens + eos. */
  attentionLength: number;
}

const START = '<|startoftext|>';
const END = '<|endoftext|>';
/** HF keeps merges 1..48894 of merges.txt (49152 - 256 - 2); the CLIP file has exactly that many. */
const MAX_MERGES = 49152 - 256 - 2;
/** CLIP's split: special tokens, English contractions, letter runs, single digits, other-symbol runs. */
const SPLIT = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;
const utf8 = new TextEncoder();
/** Words kept in the BPE cache; the prompt counter feeds every partial word typed, so it is bounded. */
const CACHE_LIMIT = 20_000;

export class ClipTokenizer {
  private readonly encoder: Map<string, number>;
  private readonly decoder: Map<number, string>;
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, string[]>();
  private readonly maxLength: number;
  private readonly bos: number;
  private readonly eos: number;
  private readonly pad: number;
  private readonly unk: number;

  constructor(vocab: Record<string, number>, merges: string, options: ClipTokenizerOptions = {}) {
    if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) {
      throw new EngineError('tokenizer vocab.json is not a {token: id} object', 'invalid-model');
    }
    this.encoder = new Map();
    for (const [token, id] of Object.entries(vocab)) {
      if (!Number.isInteger(id) || id < 0) {
        throw new EngineError(`tokenizer vocab.json has a bad id for ${JSON.stringify(token).slice(0, 40)}`, 'invalid-model');
      }
      this.encoder.set(token, id);
    }
    if (this.encoder.size === 0) throw new EngineError('tokenizer vocab.json is empty', 'invalid-model');
    this.decoder = new Map();
    for (const [token, id] of this.encoder) this.decoder.set(id, token);
    this.ranks = parseMerges(merges);
    this.maxLength = options.maxLength ?? 77;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 2) {
      throw new EngineError(`tokenizer maxLength must be an integer >= 2, got ${this.maxLength}`, 'invalid-model');
    }
    this.bos = options.bosTokenId ?? this.encoder.get(START) ?? 49406;
    this.eos = options.eosTokenId ?? this.encoder.get(END) ?? 49407;
    this.pad = options.padTokenId ?? this.eos;
    this.unk = this.encoder.get(END) ?? this.eos;
    this.resetCache();
  }

  private resetCache(): void {
    this.cache.clear();
    // Special tokens typed into a prompt stay whole, as in both references.
    this.cache.set(START, [START]);
    this.cache.set(END, [END]);
  }

  get bosId(): number {
    return this.bos;
  }
  get eosId(): number {
    return this.eos;
  }
  get padId(): number {
    return this.pad;
  }
  /** ',</w>': a comma ending a word, where A1111's chunker may break a long prompt. */
  get commaId(): number | undefined {
    return this.encoder.get(',</w>');
  }

  /** Ids of the text's tokens, without bos/eos and without truncation (the chunker packs them). */
  encodeIds(text: string): number[] {
    return this.tokenize(text).map((piece) => this.encoder.get(piece) ?? this.unk);
  }

  encode(text: string): TokenizedPrompt {
    const ids = this.encodeIds(text);
    const maxTokens = this.maxLength - 2;
    const kept = ids.length > maxTokens ? ids.slice(0, maxTokens) : ids;
    const inputIds = [this.bos, ...kept, this.eos];
    const attentionLength = inputIds.length;
    while (inputIds.length < this.maxLength) inputIds.push(this.pad);
    return { inputIds, tokenCount: ids.length, truncated: ids.length > maxTokens, maxTokens, attentionLength };
  }

  /** BPE pieces of the text, without bos/eos (for debugging and counting). */
  tokenize(text: string): string[] {
    const pieces: string[] = [];
    for (const match of cleanPrompt(text).matchAll(SPLIT)) {
      const word = match[0];
      const cached = this.cache.get(word);
      if (cached) {
        pieces.push(...cached);
        continue;
      }
      let mapped = '';
      for (const byte of utf8.encode(word)) mapped += byteToChar[byte];
      const bpe = this.bpe(mapped);
      if (this.cache.size >= CACHE_LIMIT) this.resetCache();
      this.cache.set(word, bpe);
      pieces.push(...bpe);
    }
    return pieces;
  }

  /** Text of the ids: bos skipped, stops at the first eos (so pad ids after it are ignored). */
  decode(ids: number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      if (id === this.bos) continue;
      if (id === this.eos) break;
      const token = this.decoder.get(id);
      if (token === undefined) continue;
      for (const ch of token) {
        const b = charToByte.get(ch);
        if (b !== undefined) bytes.push(b);
      }
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(new Uint8Array(bytes));
    return text.replaceAll('</w>', ' ').trim();
  }

  /** Byte-pair merges of one pre-split word (already mapped to vocabulary characters). */
  private bpe(token: string): string[] {
    const word = Array.from(token);
    word[word.length - 1] += '</w>';
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(word[i] + ' ' + word[i + 1]);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const first = word[best];
      const second = word[best + 1];
      // Merge every occurrence of the best pair, left to right, as the reference does.
      const merged: string[] = [];
      for (let i = 0; i < word.length; ) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(word[i]);
          i += 1;
        }
      }
      word.length = 0;
      word.push(...merged);
    }
    return word;
  }
}

function parseMerges(merges: string): Map<string, number> {
  if (typeof merges !== 'string') throw new EngineError('tokenizer merges.txt is not text', 'invalid-model');
  const lines = merges.trim().split('\n');
  const ranks = new Map<string, number>();
  // Line 0 is the "#version" header.
  const end = Math.min(lines.length, MAX_MERGES + 1);
  for (let i = 1; i < end; i++) {
    const parts = lines[i].trim().split(/\s+/);
    if (parts.length !== 2) continue;
    const key = parts[0] + ' ' + parts[1];
    if (!ranks.has(key)) ranks.set(key, i - 1);
  }
  if (ranks.size === 0) throw new EngineError('tokenizer merges.txt has no merges', 'invalid-model');
  return ranks;
}
