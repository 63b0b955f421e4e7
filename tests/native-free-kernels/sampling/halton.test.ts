import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { halton } from '../../../native-free-kernels/sampling/halton.js';
import { createRng } from '../../../src/rng.js';

function points(n: number, d: number, skip = 0, scramble = false, seed = 1): Float64Array {
  const out = new Float64Array(n * d);
  halton(n, d, skip, scramble, createRng(seed, 'halton'), out);
  return out;
}

function column(P: Float64Array, d: number, t: number): number[] {
  return Array.from({ length: P.length / d }, (_, i) => P[i * d + t]);
}

const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29];

/** The c with c/size <= v < (c+1)/size, edges compared as doubles (v * size can round across). */
function cell(v: number, size: number): number {
  let c = Math.floor(v * size);
  if (v < c / size) c--;
  if (v >= (c + 1) / size) c++;
  return c;
}

describe('halton', () => {
  it('gives the radical inverses in bases 2 and 3 (origin skipped)', () => {
    // Base 2: index 1 = 1b -> 0.1b = 1/2; 2 = 10b -> 0.01b = 1/4; 3 = 11b -> 3/4; 4 = 100b -> 1/8;
    //   5 = 101b -> 0.101b = 5/8; 6 = 110b -> 0.011b = 3/8; 7 -> 7/8.
    // Base 3: 1 -> 1/3; 2 -> 2/3; 3 = 10_3 -> 0.01_3 = 1/9; 4 = 11_3 -> 1/9 + 1/3 = 4/9;
    //   5 = 12_3 -> 7/9; 6 = 20_3 -> 2/9; 7 = 21_3 -> 5/9.
    const P = points(7, 2, 1);
    expect(column(P, 2, 0)).toEqual([1 / 2, 1 / 4, 3 / 4, 1 / 8, 5 / 8, 3 / 8, 7 / 8]);
    expect(column(P, 2, 1)).toEqual([1 / 3, 2 / 3, 1 / 9, 4 / 9, 7 / 9, 2 / 9, 5 / 9]);
    expect(Array.from(points(1, 3))).toEqual([0, 0, 0]);
  });

  it('skip drops leading points', () => {
    expect(points(40, 6, 25)).toEqual(points(65, 6).subarray(25 * 6));
    expect(points(40, 6, 25, true, 3)).toEqual(points(65, 6, 0, true, 3).subarray(25 * 6));
  });

  it('puts one of the first b^k points in each interval [c/b^k, (c+1)/b^k), scrambled or not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: PRIMES.length - 1 }), fc.boolean(), fc.nat(), (t, scramble, seed) => {
        const b = PRIMES[t];
        const d = t + 1;
        const k = Math.max(1, Math.floor(Math.log(1500) / Math.log(b)));
        const size = b ** k;
        const P = points(size, d, 0, scramble, seed);
        const cells = new Set(column(P, d, t).map((v) => cell(v, size)));
        expect(cells.size).toBe(size);
      }),
      { numRuns: 60 },
    );
  });

  it('stays in [0, 1), is reproducible from the seed and scrambles with it', () => {
    const a = points(500, 12, 0, true, 4);
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(a).toEqual(points(500, 12, 0, true, 4));
    expect(a).not.toEqual(points(500, 12, 0, true, 5));
    expect(a).not.toEqual(points(500, 12, 0, false, 4));
  });

  it('keeps a scrambled value below 1 when every digit maps to b - 1', () => {
    // Base 2, rand() = 0: each position's one Fisher-Yates step swaps, so digit 0 -> 1 in all
    // K = 53 positions and point 0 becomes (2^53 - 1) / 2^53, the largest double below 1.
    const out = new Float64Array(1);
    halton(1, 1, 0, true, () => 0, out);
    expect(out[0]).toBe(1 - 2 ** -53);
  });

  it('draws a separate permutation for each digit position, in position order', () => {
    // Base 2, draws alternating 0 (swap: 0 <-> 1) and 0.9 (keep): positions 1, 3, 5, ... map
    // digit 0 to 1, so point 0 becomes 0.101010...b over K = 53 digits:
    // sum over odd k <= 53 of 2^(53-k) = (2^54 - 1) / 3, divided by 2^53.
    let draw = 0;
    const out = new Float64Array(1);
    halton(1, 1, 0, true, () => (draw++ % 2 === 0 ? 0 : 0.9), out);
    expect(out[0]).toBe((2 ** 54 - 1) / 3 / 2 ** 53);
  });
});
