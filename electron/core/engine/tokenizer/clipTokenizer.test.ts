import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../models/defaultModel.js';
import { EngineError } from '../types.js';
import { ClipTokenizer, tokenizerOptionsFromConfig } from './clipTokenizer.js';

// The real CLIP vocabulary: ../shared beside the checkout, else the identical copy every SD model
// folder ships (the test models carry it too).
const shared = join(projectRoot(), '..', 'shared', 'models', 'clip-tokenizer');
const dir = existsSync(join(shared, 'vocab.json')) ? shared : join(projectRoot(), 'native-models', 'test-models', 'sd15-tiny', 'tokenizer');
const vocab = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as Record<string, number>;
const merges = readFileSync(join(dir, 'merges.txt'), 'utf8');
const tok = new ClipTokenizer(vocab, merges);
const BOS = 49406;
const EOS = 49407;

/**
 * Prompt ids (without bos/eos) from an independent Python reference written for this test
 * (unicodedata-based split, naive BPE, html.unescape x2) over the same vocab.json/merges.txt.
 * "a photo of a cat" -> 320 1125 539 320 2368 is also the widely published answer.
 */
const CASES: [string, number[]][] = [
  ["a photo of a cat", [320, 1125, 539, 320, 2368]],
  ["A Photo Of A CAT!!!", [320, 1125, 539, 320, 2368, 995]],
  ["an astronaut riding a horse on mars, 4k, highly detailed, trending on artstation", [550, 18376, 6765, 320, 4558, 525, 7496, 267, 275, 330, 267, 5302, 12609, 267, 6087, 525, 1486, 2631]],
  ["it's the dog's toy; they're here, we'll see", [585, 568, 518, 1929, 568, 5988, 282, 889, 982, 763, 267, 649, 1342, 862]],
  ["1234567 people in 2024", [272, 273, 274, 275, 276, 277, 278, 1047, 530, 273, 271, 273, 275]],
  ["café naïve über straße", [15304, 1097, 35689, 563, 6522, 1516, 1894, 127, 253, 324]],
  ["a cat 🐱 with a hat 🎩👒", [320, 2368, 22979, 593, 320, 3801, 1165, 102, 964, 496]],
  ["rock &amp; roll &amp;amp; &lt;tag&gt; &#39;quoted&#39;", [2172, 261, 3341, 261, 283, 3640, 285, 262, 27706, 262]],
  ["   lots    of\twhitespace\n and newlines   ", [2958, 539, 4699, 2138, 537, 1218, 3418]],
  ["", []],
  ["<|startoftext|>hello<|endoftext|>", [49406, 3306, 49407]],
  ["snake_case-words and e-mail@example.com (masterpiece:1.2)", [8798, 318, 2068, 268, 2709, 537, 324, 268, 2614, 287, 6228, 269, 2464, 263, 12066, 281, 272, 269, 273, 264]],
  ["東京の夜景, neon lights", [48338, 21078, 105, 21575, 23170, 250, 48132, 363, 267, 13919, 3073]],
  ["ÀÉÎÕÜ Ελληνικά кириллица", [36149, 3459, 48704, 127, 113, 47177, 138, 113, 138, 119, 138, 119, 138, 115, 138, 121, 138, 117, 138, 118, 138, 361, 27152, 16701, 16370, 29503, 119, 47611, 16701, 141, 228, 27080]],
];

function padded(ids: number[], pad = EOS): number[] {
  const out = [BOS, ...ids, EOS];
  while (out.length < 77) out.push(pad);
  return out;
}

describe('ClipTokenizer on the real CLIP vocabulary', () => {
  it.each(CASES)('encodes %j', (prompt, ids) => {
    const r = tok.encode(prompt);
    expect(r.inputIds).toEqual(padded(ids));
    expect(r.tokenCount).toBe(ids.length);
    expect(r.truncated).toBe(false);
    expect(r.maxTokens).toBe(75);
    expect(r.attentionLength).toBe(ids.length + 2);
  });

  it('splits digits one by one and keeps contractions as their own pieces', () => {
    expect(tok.tokenize('42')).toEqual(['4</w>', '2</w>']);
    expect(tok.tokenize("dog's")).toEqual(['dog</w>', "'s</w>"]);
  });

  it('treats curly quotes like straight ones (ftfy uncurl_quotes)', () => {
    expect(tok.encode('it\u2019s a \u201cdog\u201d').inputIds).toEqual(tok.encode('it\'s a "dog"').inputIds);
  });

  it('truncates a 100-word prompt to 75 tokens and still ends with eos', () => {
    const words = Array.from({ length: 100 }, (_, i) => ['red', 'house', 'tree', 'sky'][i % 4]);
    const r = tok.encode(words.join(' '));
    expect(r.tokenCount).toBe(100);
    expect(r.truncated).toBe(true);
    expect(r.inputIds).toHaveLength(77);
    expect(r.inputIds[0]).toBe(BOS);
    expect(r.inputIds[76]).toBe(EOS);
    expect(r.attentionLength).toBe(77);
    // 'red' 'house' 'tree' 'sky' are single tokens: 736, 1212, 2677, 2390 in vocab.json.
    expect(r.inputIds.slice(1, 5)).toEqual([vocab['red</w>'], vocab['house</w>'], vocab['tree</w>'], vocab['sky</w>']]);
    expect(r.inputIds[75]).toBe(vocab['tree</w>']); // token 75 is word index 74 -> 'tree'
  });

  it('exactly 75 tokens fit without truncation', () => {
    const r = tok.encode(Array.from({ length: 75 }, () => 'cat').join(' '));
    expect(r.truncated).toBe(false);
    expect(r.inputIds[75]).toBe(2368);
    expect(r.inputIds[76]).toBe(EOS);
  });

  it('pads with id 0 ("!") for SD2/SDXL tokenizer_2; a typed "!" is "!</w>" (256), not the pad id', () => {
    const sd2 = new ClipTokenizer(vocab, merges, { padTokenId: 0 });
    const r = sd2.encode('wow!');
    expect(r.inputIds.slice(0, 5)).toEqual([BOS, vocab['wow</w>'], 256, EOS, 0]);
    expect(r.inputIds.slice(4).every((id) => id === 0)).toBe(true);
    expect(r.attentionLength).toBe(4);
  });

  it('encodes the empty prompt as bos, eos, padding', () => {
    expect(tok.encode('').inputIds).toEqual(padded([]));
    expect(tok.encode('   \n ').tokenCount).toBe(0);
  });

  it('decodes back to the cleaned text, ignoring bos, eos and padding', () => {
    const sd2 = new ClipTokenizer(vocab, merges, { padTokenId: 0 });
    expect(sd2.decode(sd2.encode('A Photo of a CAT, 4k!').inputIds)).toBe('a photo of a cat , 4 k !');
    expect(tok.decode(tok.encode('café 🐱').inputIds)).toBe('café 🐱');
  });

  it('a warm 75-token prompt tokenizes well under 1 ms', () => {
    const prompt = 'masterpiece, best quality, a detailed oil painting of an old lighthouse on a cliff at sunset, '.repeat(4);
    for (let i = 0; i < 20; i++) tok.encode(prompt);
    const n = 200;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) tok.encode(prompt);
    const perCall = (performance.now() - t0) / n;
    expect(tok.encode(prompt).truncated).toBe(true);
    expect(perCall).toBeLessThan(1);
  });
});

describe('tokenizerOptionsFromConfig', () => {
  it('reads SD2-style configs: pad "!" as an AddedToken object, max length 77', () => {
    const config = { model_max_length: 77, pad_token: '<|endoftext|>', bos_token: { content: '<|startoftext|>' } };
    const special = { pad_token: '!', eos_token: { content: '<|endoftext|>', lstrip: false } };
    expect(tokenizerOptionsFromConfig(config, special, vocab)).toEqual({
      maxLength: 77,
      bosTokenId: BOS,
      eosTokenId: EOS,
      padTokenId: 0,
    });
  });

  it('reads SD1-style configs (pad = eos) and ignores HF huge max lengths and unknown tokens', () => {
    expect(tokenizerOptionsFromConfig({ model_max_length: 1e30, pad_token: '<|endoftext|>' }, undefined, vocab)).toEqual({
      padTokenId: EOS,
    });
    expect(tokenizerOptionsFromConfig({ pad_token: '<pad-not-in-vocab>' }, 'garbage', vocab)).toEqual({});
    expect(tokenizerOptionsFromConfig(undefined, undefined, undefined)).toEqual({});
  });
});

describe('bad tokenizer files', () => {
  it('give one-line invalid-model errors', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => new ClipTokenizer({}, merges), /vocab.json is empty/],
      [() => new ClipTokenizer([] as unknown as Record<string, number>, merges), /not a \{token: id\} object/],
      [() => new ClipTokenizer({ a: 'x' } as unknown as Record<string, number>, merges), /bad id/],
      [() => new ClipTokenizer(vocab, '#version: 0.2\n'), /no merges/],
      [() => new ClipTokenizer(vocab, merges, { maxLength: 1 }), /maxLength/],
    ];
    for (const [make, message] of cases) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe('invalid-model');
      expect((error as Error).message).toMatch(message);
    }
  });

  it('keeps giving the same ids after the word cache overflows', () => {
    const t = new ClipTokenizer(vocab, merges);
    const before = t.encode('a photo of a cat').inputIds;
    const letters = (i: number): string => i.toString(26).replace(/./g, (c) => String.fromCharCode(97 + parseInt(c, 26)));
    for (let i = 0; i < 20_500; i++) t.tokenize(`q${letters(i)}`);
    const cacheSize = (t as unknown as { cache: Map<string, string[]> }).cache.size;
    expect(cacheSize).toBeLessThanOrEqual(20_000);
    expect(cacheSize).toBeGreaterThan(0);
    expect(t.encode('a photo of a cat').inputIds).toEqual(before);
    expect(t.encode('<|startoftext|>').inputIds.slice(0, 3)).toEqual([BOS, BOS, EOS]);
  });
});
