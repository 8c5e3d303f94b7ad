/**
 * Deterministic random numbers for the engine: the same seed gives the same latent noise on every
 * platform. PCG32 (M.E. O'Neill, pcg-random.org, XSH-RR with 64-bit state) computed with 32-bit
 * integer halves so no BigInt or float rounding enters the integer stream; normals by Box-Muller.
 */

export interface Rng {
  nextUint32(): number;
  /** Uniform in [0, 1), 32 bits of resolution. */
  nextFloat(): number;
  /** Standard normal. */
  normal(): number;
  /** Fills `out` with standard normals and returns it. */
  fillNormal(out: Float32Array): Float32Array;
}

// PCG's 64-bit LCG multiplier 6364136223846793005 split into 32-bit halves.
const MUL_HI = 0x5851f42d;
const MUL_LO = 0x4c957f2d;
/** The stream selector used for every seed; 54 is the one of the reference pcg32-demo, so seed 42 reproduces its output. */
const STREAM = 54;
const TWO_POW_32 = 4294967296;
const TWO_PI = 2 * Math.PI;

class Pcg32 implements Rng {
  private hi = 0;
  private lo = 0;
  private readonly incHi: number;
  private readonly incLo: number;
  private spare = 0;
  private hasSpare = false;

  /** pcg32_srandom_r(initstate, initseq) with a 64-bit initstate given as two halves. */
  constructor(stateHi: number, stateLo: number, seq: number) {
    // inc = (initseq << 1) | 1, as 64 bits (seq < 2^31 here).
    this.incHi = Math.floor((seq * 2) / TWO_POW_32) >>> 0;
    this.incLo = ((seq * 2) % TWO_POW_32 | 1) >>> 0;
    this.advance();
    this.add(stateHi >>> 0, stateLo >>> 0);
    this.advance();
  }

  nextUint32(): number {
    const oldHi = this.hi;
    const oldLo = this.lo;
    this.advance();
    // xorshifted = ((old >> 18) ^ old) >> 27, truncated to 32 bits
    const xHi = oldHi ^ (oldHi >>> 18);
    const xLo = oldLo ^ ((oldLo >>> 18) | (oldHi << 14));
    const xorshifted = ((xLo >>> 27) | (xHi << 5)) >>> 0;
    const rot = oldHi >>> 27;
    return ((xorshifted >>> rot) | (xorshifted << (-rot & 31))) >>> 0;
  }

  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const r = this.radius();
    const theta = TWO_PI * this.nextFloat();
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  fillNormal(out: Float32Array): Float32Array {
    let i = 0;
    if (this.hasSpare && out.length > 0) out[i++] = this.normal();
    // Pairs written directly (no per-pair allocation): the same values normal() would give.
    for (; i + 1 < out.length; i += 2) {
      const r = this.radius();
      const theta = TWO_PI * this.nextFloat();
      out[i] = r * Math.cos(theta);
      out[i + 1] = r * Math.sin(theta);
    }
    if (i < out.length) out[i] = this.normal();
    return out;
  }

  /** Box-Muller radius sqrt(-2 ln u) from the first uniform; 1 - u keeps log() away from 0. */
  private radius(): number {
    return Math.sqrt(-2 * Math.log(1 - this.nextFloat()));
  }

  /** state = state * MUL + inc (mod 2^64). */
  private advance(): void {
    const al = this.lo;
    const ah = this.hi;
    // Full 64-bit product of the low halves from 16-bit limbs (each partial product is exact in a double).
    const a0 = al & 0xffff;
    const a1 = al >>> 16;
    const b0 = MUL_LO & 0xffff;
    const b1 = MUL_LO >>> 16;
    const p00 = a0 * b0;
    const p01 = a0 * b1;
    const p10 = a1 * b0;
    const p11 = a1 * b1;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const lo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
    const carryHi = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
    const hi = (carryHi + Math.imul(al, MUL_HI) + Math.imul(ah, MUL_LO)) >>> 0;
    this.hi = hi;
    this.lo = lo;
    this.add(this.incHi, this.incLo);
  }

  private add(hi: number, lo: number): void {
    const sumLo = this.lo + lo;
    const carry = sumLo >= TWO_POW_32 ? 1 : 0;
    this.lo = sumLo >>> 0;
    this.hi = (this.hi + hi + carry) >>> 0;
  }
}

/** seed: integer 0..2^32-1 (other numbers are rejected); same seed, same stream everywhere. */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in 0..4294967295, got ${seed}`);
  }
  return new Pcg32(0, seed, STREAM);
}
