import { describe, expect, it } from 'vitest';
import { createRng } from './rng.js';

/** pcg_basic.c written directly with BigInt: an independent check of the 32-bit-halves arithmetic. */
function referencePcg32(initState: bigint, initSeq: bigint): () => number {
  const mask = (1n << 64n) - 1n;
  let state = 0n;
  const inc = ((initSeq << 1n) | 1n) & mask;
  const next = (): number => {
    const old = state;
    state = (old * 6364136223846793005n + inc) & mask;
    const xorshifted = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn);
    const rot = Number(old >> 59n);
    return ((xorshifted >>> rot) | (xorshifted << (-rot & 31))) >>> 0;
  };
  next();
  state = (state + initState) & mask;
  next();
  return next;
}

describe('createRng', () => {
  it('reproduces the published pcg32-demo output for seed 42 (stream 54)', () => {
    // imneme/pcg-c-basic pcg32-demo, "Round 1": 0xa15c02b7 0x7b47f409 0xba1d3330 0x83d2f293 0xbfa4784b 0xcbed606e
    const rng = createRng(42);
    const got = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(got).toEqual([0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e]);
  });

  it('matches a BigInt PCG32 for other seeds, including ones with the top bit set', () => {
    for (const seed of [0, 1, 12345, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff]) {
      const ref = referencePcg32(BigInt(seed), 54n);
      const rng = createRng(seed);
      for (let i = 0; i < 1000; i++) expect(rng.nextUint32()).toBe(ref());
    }
  });

  it('is reproducible and different seeds differ', () => {
    const a = createRng(7).fillNormal(new Float32Array(64));
    const b = createRng(7).fillNormal(new Float32Array(64));
    const c = createRng(8).fillNormal(new Float32Array(64));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('fillNormal continues the same stream as normal(), also from an odd position', () => {
    const one = createRng(99);
    const singles = Array.from({ length: 9 }, () => one.normal());
    const two = createRng(99);
    const first = two.normal();
    const rest = two.fillNormal(new Float32Array(8));
    expect([Math.fround(first), ...rest]).toEqual(singles.map((v) => Math.fround(v)));
  });

  it('nextFloat stays in [0, 1)', () => {
    const rng = createRng(3);
    for (let i = 0; i < 10000; i++) {
      const u = rng.nextFloat();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });

  it('normals have mean ~0, std ~1 and a symmetric tail over 1e5 samples', () => {
    const n = 100_000;
    const xs = createRng(2024).fillNormal(new Float32Array(n));
    let sum = 0;
    let sq = 0;
    let beyond2 = 0;
    for (const x of xs) {
      sum += x;
      sq += x * x;
      if (Math.abs(x) > 1.959964) beyond2++;
    }
    const mean = sum / n;
    const std = Math.sqrt(sq / n - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.01); // 3.2 standard errors
    expect(Math.abs(std - 1)).toBeLessThan(0.01);
    expect(beyond2 / n).toBeGreaterThan(0.047); // 5% expected beyond ±1.96
    expect(beyond2 / n).toBeLessThan(0.053);
  });

  it('rejects seeds outside 0..2^32-1', () => {
    expect(() => createRng(-1)).toThrow(/seed/);
    expect(() => createRng(2 ** 32)).toThrow(/seed/);
    expect(() => createRng(1.5)).toThrow(/seed/);
  });
});
