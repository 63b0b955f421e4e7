import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sbxCrossover } from '../../../src/search/operators/sbx.js';
import { createRng } from '../../../src/rng.js';

/** A generator that replays the given draws. */
function replay(...draws: number[]): () => number {
  let k = 0;
  return () => {
    if (k >= draws.length) throw new Error('replay: out of draws');
    return draws[k++];
  };
}

describe('sbxCrossover', () => {
  it('matches a hand derivation on one continuous dimension', () => {
    // Parents 0.4 and 0.6, eta = 1 (power 1/2), draws: 0 (cross this dimension), u = 0.5, 0.9 (no swap).
    // gap = 0.2. Lower child: beta = 1 + 2·0.4/0.2 = 5, alpha = 2 - 5^-2 = 1.96, u <= 1/alpha, so
    // beta_q = (0.5·1.96)^(1/2) = sqrt(0.98); c1 = (1 - sqrt(0.98)·0.2) / 2 = 0.40100505...
    // Upper child: beta = 1 + 2·(1 - 0.6)/0.2 = 5 as well, so c2 = (1 + sqrt(0.98)·0.2) / 2.
    const out = new Float64Array(2);
    sbxCrossover(new Float64Array([0.4, 0.6]), 1, 1, new Float64Array(1), new Uint8Array([1]), 1, 1, replay(0, 0.5, 0.9), out);
    expect(out[0]).toBeCloseTo((1 - Math.sqrt(0.98) * 0.2) / 2, 15);
    expect(out[1]).toBeCloseTo((1 + Math.sqrt(0.98) * 0.2) / 2, 15);
    // The same draws with the swap coin below 1/2 give the children the other way round.
    sbxCrossover(new Float64Array([0.4, 0.6]), 1, 1, new Float64Array(1), new Uint8Array([1]), 1, 1, replay(0, 0.5, 0.1), out);
    expect(out[0]).toBeCloseTo((1 + Math.sqrt(0.98) * 0.2) / 2, 15);
  });

  it('copies unmated pairs and equal parents, and leaves discrete dimensions to the categorical operator', () => {
    const parents = new Float64Array([0.1, 0.3, 0.5, 0.9, 0.7, 0.5, 0.2, 0.4, 0.6, 0.8, 0.9, 0.1]);
    const strata = new Float64Array([0, 0, 4]);
    const out = new Float64Array(12).fill(-1);
    const mated = new Uint8Array([0, 1]);
    sbxCrossover(parents, 2, 3, strata, mated, 15, 1, createRng(1, 'sbx-test'), out);
    // Pair 0 (rows 0, 1) copied; dimension 2 never written.
    expect(Array.from(out.subarray(0, 6))).toEqual([0.1, 0.3, -1, 0.9, 0.7, -1]);
    expect(out[8]).toBe(-1);
    expect(out[11]).toBe(-1);
    // Pair 1 crossed in both continuous dimensions: different from the parents.
    expect(out[6]).not.toBe(0.2);
    expect(out[7]).not.toBe(0.4);
    const same = new Float64Array(2);
    sbxCrossover(new Float64Array([0.25, 0.25]), 1, 1, new Float64Array(1), new Uint8Array([1]), 15, 1, createRng(2, 'sbx-test'), same);
    expect(Array.from(same)).toEqual([0.25, 0.25]);
  });

  it('keeps children in [0, 1) for any parents and eta', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.integer(),
        (a, b, eta, seed) => {
          const out = new Float64Array(2);
          sbxCrossover(new Float64Array([a, b]), 1, 1, new Float64Array(1), new Uint8Array([1]), eta, 1, createRng(seed, 'sbx'), out);
          return out.every((v) => v >= 0 && v < 1);
        },
      ),
    );
  });

  it('keeps children nearer their parents as eta grows', () => {
    // Mean |child - nearest parent| over many crossings of parents 0.3 and 0.7.
    const spreadAt = (eta: number): number => {
      const rand = createRng(7, 'sbx-spread', eta);
      const out = new Float64Array(2);
      let sum = 0;
      const trials = 2000;
      for (let t = 0; t < trials; t++) {
        sbxCrossover(new Float64Array([0.3, 0.7]), 1, 1, new Float64Array(1), new Uint8Array([1]), eta, 1, rand, out);
        for (const c of out) sum += Math.min(Math.abs(c - 0.3), Math.abs(c - 0.7));
      }
      return sum / (2 * trials);
    };
    const wide = spreadAt(1);
    const narrow = spreadAt(30);
    expect(narrow).toBeLessThan(wide / 3);
  });
});
