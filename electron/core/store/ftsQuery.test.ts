import { describe, expect, it } from 'vitest';
import { toFtsQuery } from './ftsQuery.js';

describe('toFtsQuery', () => {
  it('makes every word a quoted prefix term', () => {
    expect(toFtsQuery('Wood cabin')).toBe('"wood"* "cabin"*');
    expect(toFtsQuery('  café,  8k ')).toBe('"café"* "8k"*');
  });

  it('turns FTS5 operators and quotes into plain words or nothing', () => {
    expect(toFtsQuery('castle OR "tower" -dark NEAR(a b) col:x *')).toBe('"castle"* "or"* "tower"* "dark"* "near"* "a"* "b"* "col"* "x"*');
    expect(toFtsQuery('"*"-^()')).toBeUndefined();
    expect(toFtsQuery('')).toBeUndefined();
  });

  it('dedupes and caps the number of terms', () => {
    expect(toFtsQuery('a A a')).toBe('"a"*');
    expect(toFtsQuery(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '))!.split(' ')).toHaveLength(16);
  });
});
