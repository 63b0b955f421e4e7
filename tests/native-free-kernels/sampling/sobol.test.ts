import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sobol } from '../../../native-free-kernels/sampling/sobol.js';
import { JOE_KUO_DIRECTIONS, SOBOL_MAX_DIMENSION } from '../../../native-free-kernels/sampling/sobol-directions.js';
import { createRng } from '../../../src/rng.js';

function points(n: number, d: number, skip = 0, scramble = false, seed = 1): Float64Array {
  const out = new Float64Array(n * d);
  sobol(n, d, skip, scramble, createRng(seed, 'sobol'), out);
  return out;
}

function column(P: Float64Array, d: number, t: number): number[] {
  return Array.from({ length: P.length / d }, (_, i) => P[i * d + t]);
}

describe('sobol', () => {
  it('starts with the known unscrambled points of dimensions 1-3', () => {
    // Point i = XOR of direction numbers v_b over the bits of gray(i) = i ^ (i >> 1).
    // Dim 1 (van der Corput): v_b = 2^-b -> 0, 1/2, 3/4, 1/4, 3/8, 7/8, 5/8, 1/8.
    // Dim 2 (s=1, a=0, m_1=1): v_1 = 0.1b, v_b = v_{b-1} ^ (v_{b-1} >> 1): v_2 = 0.11b, v_3 = 0.101b.
    //   x1 = 0.1 = 1/2; x2 = 0.1^0.11 = 0.01 = 1/4; x3 = 0.01^0.1 = 3/4; x4 = 0.11^0.101 = 0.011 = 3/8;
    //   x5 = 0.111 = 7/8; x6 = 0.111^0.11 = 0.001 = 1/8; x7 = 0.101 = 5/8.
    // Dim 3 (s=2, a=1, m=1,3): v_1 = 0.1b, v_2 = 0.11b, v_3 = v_1 ^ (v_1 >> 2) ^ v_2 = 0.111b:
    //   0, 1/2, 1/4, 3/4, 5/8, 1/8, 7/8, 3/8.
    const P = points(8, 3);
    expect(column(P, 3, 0)).toEqual([0, 1 / 2, 3 / 4, 1 / 4, 3 / 8, 7 / 8, 5 / 8, 1 / 8]);
    expect(column(P, 3, 1)).toEqual([0, 1 / 2, 1 / 4, 3 / 4, 3 / 8, 7 / 8, 1 / 8, 5 / 8]);
    expect(column(P, 3, 2)).toEqual([0, 1 / 2, 1 / 4, 3 / 4, 5 / 8, 1 / 8, 7 / 8, 3 / 8]);
  });

  it('matches SciPy at points 2^0..2^15 of dimensions 3, 64, 512 and 1024', () => {
    // Point 2^b = v_b ^ v_{b+1}, so these pin every direction number up to bit 16.
    // Values x * 2^32 from SciPy 1.17.1: scipy.stats.qmc.Sobol(1024, scramble=False, bits=32),
    // which bundles the same new-joe-kuo-6.21201 file.
    const expected: Record<number, number[]> = {
      3: [2147483648, 1073741824, 2684354560, 4026531840, 2013265920, 3019898880, 3523215360, 1258291200,
        2910846976, 4097835008, 1923088384, 3153068032, 3589799936, 1089732608, 2691825664, 4038787072],
      64: [2147483648, 3221225472, 536870912, 2952790016, 402653184, 1946157056, 4060086272, 419430400,
        3615490048, 2327838720, 4150263808, 1888485376, 1914175488, 1496055808, 3079274496, 1523646464],
      512: [2147483648, 3221225472, 1610612736, 805306368, 3623878656, 3959422976, 167772160, 3472883712,
        562036736, 1572864000, 3592421376, 2706374656, 1857552384, 185335808, 1933967360, 3395485696],
      1024: [2147483648, 3221225472, 3758096384, 268435456, 3892314112, 3690987520, 3456106496, 1459617792,
        2659188736, 2101346304, 2900361216, 149946368, 2837970944, 2660499456, 1721368576, 2119761920],
    };
    // Each point is generated alone via skip, which starts from gray(skip) directly.
    const d = SOBOL_MAX_DIMENSION;
    const at = Array.from({ length: 16 }, (_, b) => points(1, d, 2 ** b));
    for (const [dim, values] of Object.entries(expected)) {
      const t = Number(dim) - 1;
      expect(at.map((P) => P[t] * 2 ** 32)).toEqual(values);
    }
  });

  it('carries a well-formed direction table: dimensions in order, odd m_k < 2^k', () => {
    expect(JOE_KUO_DIRECTIONS.length).toBe(SOBOL_MAX_DIMENSION - 1);
    JOE_KUO_DIRECTIONS.forEach((row, r) => {
      const [dim, s] = row;
      expect(dim).toBe(r + 2);
      expect(row.length).toBe(3 + s);
      for (let k = 1; k <= s; k++) {
        const mk = row[2 + k];
        expect(mk % 2).toBe(1);
        expect(mk).toBeLessThan(2 ** k);
      }
    });
  });

  it('skip drops leading points', () => {
    const all = points(100, 5);
    expect(points(63, 5, 37)).toEqual(all.subarray(37 * 5));
    expect(points(63, 5, 37, true, 9)).toEqual(points(100, 5, 0, true, 9).subarray(37 * 5));
  });

  it('puts one point in each interval of size 2^-k per dimension, for every aligned 2^k block', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: SOBOL_MAX_DIMENSION }),
        fc.integer({ min: 0, max: 5 }),
        fc.boolean(),
        fc.nat(),
        (k, d, block, scramble, seed) => {
          const size = 2 ** k;
          const P = points(size, d, block * size, scramble, seed);
          for (let t = 0; t < d; t++) {
            const cells = new Set(column(P, d, t).map((v) => Math.floor(v * size)));
            expect(cells.size).toBe(size);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('stays in [0, 1), is reproducible from the seed and shifts with it', () => {
    const a = points(256, 8, 1, true, 4);
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(a).toEqual(points(256, 8, 1, true, 4));
    expect(a).not.toEqual(points(256, 8, 1, true, 5));
    expect(a).not.toEqual(points(256, 8, 1, false, 4));
  });

  it('rejects dimensions beyond the bundled table, naming the limit', () => {
    expect(() => points(4, SOBOL_MAX_DIMENSION + 1)).toThrow(/outside 1\.\.1024/);
    expect(() => points(4, 0)).toThrow(/Joe-Kuo/);
    expect(() => sobol(2, 1, 2 ** 32 - 1, false, Math.random, new Float64Array(2))).toThrow(/2\^32/);
  });
});
