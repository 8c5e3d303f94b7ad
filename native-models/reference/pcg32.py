"""Python port of the engine's RNG (electron/core/engine/rng.ts): PCG32 XSH-RR with 64-bit state
(pcg32_srandom_r(seed, 54)), uniforms u32 / 2^32, normals by Box-Muller in pairs
(r = sqrt(-2 ln(1 - u1)), theta = 2 pi u2; r cos theta then r sin theta), stored as float32.
Written from rng.ts's documentation with Python's big integers, so it shares no code with it."""
import math

import numpy as np

MASK64 = (1 << 64) - 1
MULT = 6364136223846793005
STREAM = 54


class Pcg32:
    def __init__(self, seed, seq=STREAM):
        if not (isinstance(seed, int) and 0 <= seed <= 0xFFFFFFFF):
            raise ValueError(f'seed must be an integer in 0..4294967295, got {seed!r}')
        self.inc = ((seq << 1) | 1) & MASK64
        self.state = 0
        self.next_u32()
        self.state = (self.state + seed) & MASK64
        self.next_u32()
        self.spare = None

    def next_u32(self):
        old = self.state
        self.state = (old * MULT + self.inc) & MASK64
        xorshifted = (((old >> 18) ^ old) >> 27) & 0xFFFFFFFF
        rot = old >> 59
        return ((xorshifted >> rot) | (xorshifted << ((-rot) & 31))) & 0xFFFFFFFF

    def next_float(self):
        return self.next_u32() / 4294967296.0

    def _pair(self):
        r = math.sqrt(-2.0 * math.log(1.0 - self.next_float()))
        theta = 2.0 * math.pi * self.next_float()
        return r * math.cos(theta), r * math.sin(theta)

    def normal(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        a, b = self._pair()
        self.spare = b
        return a

    def normals(self, n):
        """Like fillNormal(new Float32Array(n)): a pending spare first, then fresh pairs."""
        out = np.empty(n, dtype=np.float32)
        i = 0
        if self.spare is not None and n > 0:
            out[0] = self.normal()
            i = 1
        while i + 1 < n:
            out[i], out[i + 1] = self._pair()
            i += 2
        if i < n:
            out[i] = self.normal()
        return out


if __name__ == '__main__':
    # imneme/pcg-c-basic pcg32-demo, seed 42 stream 54.
    r = Pcg32(42)
    got = [r.next_u32() for _ in range(6)]
    assert got == [0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e], [hex(g) for g in got]
    print('pcg32 ok', Pcg32(7).normals(4))
