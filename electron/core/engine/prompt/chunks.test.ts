import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../models/defaultModel.js';
import { ClipTokenizer } from '../tokenizer/clipTokenizer.js';
import { parsePromptAttention } from './attention.js';
import { chunkPrompt, emptyChunk } from './chunks.js';

// Expected values come from A1111's own parse_prompt_attention and tokenize_line, run by
// native-models/recipes/a1111_prompt_oracle.py (the recipe, not the code, is committed).
interface OracleCase {
  prompt: string;
  parsed: Array<[string, number]>;
  token_count: number;
  chunks: Array<{ input_ids: number[]; input_ids_pad0: number[]; weights: number[] }>;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/a1111Chunks.json', import.meta.url), 'utf8')) as { cases: OracleCase[] };

const shared = join(projectRoot(), '..', 'shared', 'models', 'clip-tokenizer');
const dir = existsSync(join(shared, 'vocab.json')) ? shared : join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny', 'tokenizer');
const vocab = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as Record<string, number>;
const merges = readFileSync(join(dir, 'merges.txt'), 'utf8');
const sd1 = new ClipTokenizer(vocab, merges);
const sd2 = new ClipTokenizer(vocab, merges, { padTokenId: 0 });

describe('A1111 prompt syntax and chunking, against A1111 itself', () => {
  it('has at least 30 oracle prompts, including long ones and BREAK', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(30);
    expect(fixture.cases.some((c) => c.chunks.length >= 3)).toBe(true);
    expect(fixture.cases.some((c) => c.prompt.includes('BREAK'))).toBe(true);
  });

  it.each(fixture.cases.map((c) => [c.prompt.length > 50 ? `${c.prompt.slice(0, 50)}… (${c.prompt.length} chars)` : c.prompt, c] as const))(
    'parses and chunks %j as A1111 does',
    (_name, c) => {
      expect(parsePromptAttention(c.prompt).map((f) => [f.text, f.weight])).toEqual(c.parsed);
      const got = chunkPrompt(c.prompt, sd1);
      expect(got.chunks.map((k) => k.inputIds)).toEqual(c.chunks.map((k) => k.input_ids));
      expect(got.chunks.map((k) => k.weights)).toEqual(c.chunks.map((k) => k.weights));
      // SD2 / SDXL's second tokenizer: padding after the first eos is id 0 (A1111's process_tokens).
      expect(chunkPrompt(c.prompt, sd2).chunks.map((k) => k.inputIds)).toEqual(c.chunks.map((k) => k.input_ids_pad0));
    },
  );

  it('counts prompt tokens and flags weighting', () => {
    const long = Array.from({ length: 96 }, () => 'sky').join(' ');
    expect(chunkPrompt(long, sd1)).toMatchObject({ tokenCount: 96, weighted: false });
    expect(chunkPrompt(long, sd1).chunks).toHaveLength(2);
    expect(chunkPrompt('(x:1)', sd1).weighted).toBe(false);
    expect(chunkPrompt('(x:1)', sd1).chunks).toEqual(chunkPrompt('x', sd1).chunks);
    expect(chunkPrompt('(red:1.4) ball', sd1).weighted).toBe(true);
    expect(chunkPrompt('', sd1)).toMatchObject({ tokenCount: 0, chunks: [emptyChunk(sd1)] });
  });

  it('keeps text A1111 does not read as weights, and never throws on odd input', () => {
    expect(parsePromptAttention('(a:1.2.3)')).toEqual([{ text: 'a:1.2.3)', weight: 1.1 }]);
    expect(parsePromptAttention('<lora:name:0.8> cat')).toEqual([{ text: '<lora:name:0.8> cat', weight: 1 }]);
    for (const odd of ['((((', ']]]]', '\\', ':', '(:)', '[:1.2]', 'BREAK', '(BREAK)']) expect(() => chunkPrompt(odd, sd1)).not.toThrow();
  });
});
