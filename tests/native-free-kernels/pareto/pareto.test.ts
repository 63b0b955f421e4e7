import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createParetoWorkspace,
  dominates,
  nonDominatedSort,
  sortRowsLex,
} from '../../../native-free-kernels/pareto/pareto.js';
import { dominatesNaive, nonDominatedSortNaive } from '../../reference/pareto.js';
import { createRng } from '../../../src/rng.js';

/** Populations drawn from a tiny integer range, so ties and duplicate rows are common. */
const tiedPopulation = (ms: number[], maxN: number, maxValue: number) =>
  fc.constantFrom(...ms).chain((m) =>
    fc
      .array(fc.array(fc.integer({ min: 0, max: maxValue }), { minLength: m, maxLength: m }), { maxLength: maxN })
      .map((rows) => ({ m, n: rows.length, F: Float64Array.from(rows.flat()) })),
  );

function rank(F: Float64Array, n: number, m: number): { ranks: Int32Array; fronts: number } {
  const ranks = new Int32Array(n);
  const fronts = nonDominatedSort(F, n, m, ranks, createParetoWorkspace(n, m));
  return { ranks, fronts };
}

function randomIntegerF(n: number, m: number, maxValue: number, seed: number): Float64Array {
  const rand = createRng(seed, 'pareto-test');
  const F = new Float64Array(n * m);
  for (let i = 0; i < F.length; i++) F[i] = Math.floor(rand() * (maxValue + 1));
  return F;
}

describe('nonDominatedSort', () => {
  it('ranks a hand-made 2-objective set, ties in f1 included', () => {
    // Rows (f1, f2): A(1,5) B(1,3) C(2,2) D(2,2) E(3,1) F(3,4) G(4,4)
    // B dominates A (same f1, smaller f2) -> A not in front 0.
    // Front 0: B(1,3), C(2,2), D(2,2) (duplicate of C), E(3,1): none is dominated.
    // Front 1: A(1,5) (only B beats it), F(3,4) (C beats it: 2<=3, 2<=4).
    // Front 2: G(4,4): dominated by F(3,4), which is in front 1.
    const F = Float64Array.from([1, 5, 1, 3, 2, 2, 2, 2, 3, 1, 3, 4, 4, 4]);
    const { ranks, fronts } = rank(F, 7, 2);
    expect(Array.from(ranks)).toEqual([1, 0, 0, 0, 0, 1, 2]);
    expect(fronts).toBe(3);
  });

  it('ranks a hand-made 3-objective set', () => {
    // A(0,0,1) B(1,1,0) C(1,1,1) D(2,2,2) E(0,0,1)
    // A, E identical: mutually non-dominated; neither they nor B dominate each other (A wins
    // f1,f2, B wins f3). C is dominated by A and B; D by C. Fronts: {A,B,E}, {C}, {D}.
    const F = Float64Array.from([0, 0, 1, 1, 1, 0, 1, 1, 1, 2, 2, 2, 0, 0, 1]);
    const { ranks, fronts } = rank(F, 5, 3);
    expect(Array.from(ranks)).toEqual([0, 0, 1, 2, 0]);
    expect(fronts).toBe(3);
  });

  it('on tied, duplicated sets satisfies the front properties and equals the naive sort (m = 1..5)', () => {
    fc.assert(
      fc.property(tiedPopulation([1, 2, 3, 4, 5], 60, 3), ({ F, n, m }) => {
        const { ranks, fronts } = rank(F, n, m);
        for (let p = 0; p < n; p++) {
          for (let q = 0; q < n; q++) {
            // (a) nothing in front >= k dominates a member of front k
            if (ranks[q] >= ranks[p]) expect(dominatesNaive(F, m, q, p)).toBe(false);
          }
          // (b) a member of front k > 0 has a dominator in front k - 1
          if (ranks[p] > 0) {
            let found = false;
            for (let q = 0; q < n; q++) if (ranks[q] === ranks[p] - 1 && dominatesNaive(F, m, q, p)) found = true;
            expect(found).toBe(true);
          }
        }
        // (c) exactly the reference ranks
        const expected = new Int32Array(n);
        const expectedFronts = nonDominatedSortNaive(F, n, m, expected);
        expect(Array.from(ranks)).toEqual(Array.from(expected));
        expect(fronts).toBe(expectedFronts);
      }),
      { numRuns: 300 },
    );
  });

  it('equals the naive sort on larger populations, tied and nearly tie-free', () => {
    for (const m of [2, 3, 4, 5]) {
      for (const maxValue of [3, 30, 1_000_000]) {
        const n = 1500;
        const F = randomIntegerF(n, m, maxValue, m * 100 + maxValue);
        const expected = new Int32Array(n);
        const expectedFronts = nonDominatedSortNaive(F, n, m, expected);
        const { ranks, fronts } = rank(F, n, m);
        expect(Array.from(ranks)).toEqual(Array.from(expected));
        expect(fronts).toBe(expectedFronts);
      }
    }
  });

  it('equals the naive sort on structured populations (plane, chain, constant objective, sorted front)', () => {
    const n = 600;
    const rand = createRng(5, 'structured');
    const plane = new Float64Array(n * 3); // f1 + f2 + f3 = 1: a single front, inserted in f1 order
    const chain = new Float64Array(n * 4); // row i dominates row i + 1: n fronts of one
    const flat = new Float64Array(n * 3); // f3 constant, f2 = 1 - f1 plus noise
    // One front arriving sorted in every objective (the k-d tree's worst order), plus a dominated
    // copy shifted by 1 in f4 that must all land in front 1.
    const sorted = new Float64Array(2 * n * 4);
    for (let i = 0; i < n; i++) {
      const a = rand();
      const b = rand() * (1 - a);
      plane.set([a, b, 1 - a - b], i * 3);
      chain.set([i, i, i, i], i * 4);
      flat.set([a, 1 - a + 0.01 * rand(), 7], i * 3);
      sorted.set([i, -i, i, -i], i * 4);
      sorted.set([i, -i, i, 1 - i], (n + i) * 4);
    }
    for (const [F, m] of [[plane, 3], [chain, 4], [flat, 3], [sorted, 4]] as const) {
      const rows = F.length / m;
      const expected = new Int32Array(rows);
      const expectedFronts = nonDominatedSortNaive(F, rows, m, expected);
      const { ranks, fronts } = rank(F, rows, m);
      expect(Array.from(ranks)).toEqual(Array.from(expected));
      expect(fronts).toBe(expectedFronts);
    }
    expect(rank(plane, n, 3).fronts).toBe(1);
    expect(rank(chain, n, 4).fronts).toBe(n);
    expect(rank(sorted, 2 * n, 4).fronts).toBe(2);
  });

  it('counts NaN as +Infinity', () => {
    fc.assert(
      fc.property(tiedPopulation([2, 3], 30, 2), fc.nat(), ({ F, n, m }, salt) => {
        // Put NaN where the tied value 2 was, and compare with +Infinity in the same places.
        const withNaN = F.map((v, i) => (v === 2 && (i + salt) % 2 === 0 ? NaN : v));
        const withInf = withNaN.map((v) => (Number.isNaN(v) ? Infinity : v));
        expect(Array.from(rank(withNaN, n, m).ranks)).toEqual(Array.from(rank(withInf, n, m).ranks));
        const expected = new Int32Array(n);
        nonDominatedSortNaive(withNaN, n, m, expected);
        expect(Array.from(rank(withNaN, n, m).ranks)).toEqual(Array.from(expected));
      }),
      { numRuns: 100 },
    );
  });

  it('does not mutate F, and a reused workspace gives the same ranks as a fresh one', () => {
    const ws = createParetoWorkspace(400, 4);
    const big = randomIntegerF(400, 4, 5, 1);
    const small = randomIntegerF(50, 3, 5, 2);
    const smallCopy = small.slice();
    const out = new Int32Array(400);
    nonDominatedSort(big, 400, 4, out, ws);
    const reused = new Int32Array(50);
    nonDominatedSort(small, 50, 3, reused, ws);
    expect(small).toEqual(smallCopy);
    expect(Array.from(reused)).toEqual(Array.from(rank(small, 50, 3).ranks));
  });

  it('handles empty and single-row populations', () => {
    expect(rank(new Float64Array(0), 0, 2).fronts).toBe(0);
    const one = rank(Float64Array.from([NaN, 1]), 1, 2);
    expect(one.fronts).toBe(1);
    expect(one.ranks[0]).toBe(0);
  });

  it('rejects a workspace that is too small, naming the fix', () => {
    const ws = createParetoWorkspace(10, 2);
    expect(() => nonDominatedSort(new Float64Array(22), 11, 2, new Int32Array(11), ws)).toThrow(
      /createParetoWorkspace/,
    );
    expect(() => nonDominatedSort(new Float64Array(30), 10, 3, new Int32Array(10), ws)).toThrow(/10 × 3/);
  });
});

describe('dominates', () => {
  it('agrees with the reference definition on tied rows', () => {
    fc.assert(
      fc.property(tiedPopulation([1, 2, 3, 4], 12, 2), ({ F, n, m }) => {
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(dominates(F, i, j, m)).toBe(dominatesNaive(F, m, i, j));
      }),
    );
  });
});

describe('sortRowsLex', () => {
  it('is a stable lexicographic sort (equals Array.prototype.sort, which is stable)', () => {
    fc.assert(
      fc.property(tiedPopulation([1, 2, 3], 200, 3), ({ F, n, m }) => {
        const idx = Int32Array.from({ length: n }, (_, i) => i);
        sortRowsLex(F, m, idx, n, new Int32Array(n));
        const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
          for (let j = 0; j < m; j++) if (F[a * m + j] !== F[b * m + j]) return F[a * m + j] - F[b * m + j];
          return 0;
        });
        expect(Array.from(idx)).toEqual(expected);
      }),
    );
  });
});
