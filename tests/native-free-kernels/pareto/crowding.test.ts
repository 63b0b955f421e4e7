import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createCrowdingWorkspace, crowdingDistance } from '../../../native-free-kernels/pareto/crowding.js';
import { createParetoWorkspace, nonDominatedSort } from '../../../native-free-kernels/pareto/pareto.js';
import { crowdingDistanceNaive } from '../../reference/crowding.js';

function crowd(F: Float64Array, n: number, m: number, rank: Int32Array): Float64Array {
  const out = new Float64Array(n);
  crowdingDistance(F, n, m, rank, out, createCrowdingWorkspace(n));
  return out;
}

function reference(F: Float64Array, n: number, m: number, rank: Int32Array): Float64Array {
  const out = new Float64Array(n);
  crowdingDistanceNaive(F, n, m, rank, out);
  return out;
}

describe('crowdingDistance', () => {
  it('matches a hand derivation on one 2-objective front', () => {
    // Front A(0,4) B(1,2) C(3,1) D(4,0), all mutually non-dominated.
    // f1 order A,B,C,D, range 4-0 = 4: A, D ends -> Inf; B += (3-0)/4 = 0.75; C += (4-1)/4 = 0.75.
    // f2 order D,C,B,A, range 4-0 = 4: D, A ends -> Inf; C += (2-0)/4 = 0.5; B += (4-1)/4 = 0.75.
    // Totals: A Inf, B 0.75+0.75 = 1.5, C 0.75+0.5 = 1.25, D Inf.
    const F = Float64Array.from([0, 4, 1, 2, 3, 1, 4, 0]);
    expect(Array.from(crowd(F, 4, 2, new Int32Array(4)))).toEqual([Infinity, 1.5, 1.25, Infinity]);
  });

  it('gives a constant objective no weight and breaks value ties by row index', () => {
    // Rows (f1, f2, f3), one front: P0(0,8,5) P1(2,4,5) P2(2,4,5) P3(8,0,5). f3 is constant: adds 0.
    // f1 order by (value, row): P0(0), P1(2), P2(2), P3(8), range 8: P0, P3 ends -> Inf;
    //   P1 += (2-0)/8 = 0.25; P2 += (8-2)/8 = 0.75.
    // f2 order: P3(0), P1(4), P2(4), P0(8), range 8: ends P3, P0;
    //   P1 += (4-0)/8 = 0.5; P2 += (8-4)/8 = 0.5.
    // Totals: P1 0.75, P2 1.25, ends Inf.
    const F = Float64Array.from([0, 8, 5, 2, 4, 5, 2, 4, 5, 8, 0, 5]);
    expect(Array.from(crowd(F, 4, 3, new Int32Array(4)))).toEqual([Infinity, 0.75, 1.25, Infinity]);
  });

  it('treats each front separately and makes fronts of <= 2 members all Infinity', () => {
    // Front 0: the four rows of the first example; front 1: two rows; front 2: one row.
    const F = Float64Array.from([0, 4, 1, 2, 3, 1, 4, 0, 5, 5, 6, 4, 9, 9]);
    const rank = Int32Array.from([0, 0, 0, 0, 1, 1, 2]);
    expect(Array.from(crowd(F, 7, 2, rank))).toEqual([Infinity, 1.5, 1.25, Infinity, Infinity, Infinity, Infinity]);
  });

  it('leaves interior members at 0 for an objective with an infinite range', () => {
    // f1 = (0, 1, NaN -> Inf, 2): range Inf, so f1 only marks the ends (rows 0 and 2) Inf.
    // f2 = (3, 2, 0, 1): order rows 2,3,1,0, range 3: row 3 += (2-0)/3; row 1 += (3-1)/3.
    const F = Float64Array.from([0, 3, 1, 2, NaN, 0, 2, 1]);
    const out = crowd(F, 4, 2, new Int32Array(4));
    expect(Array.from(out)).toEqual([Infinity, 2 / 3, Infinity, 2 / 3]);
  });

  it('equals the reference on tied populations ranked by nonDominatedSort, and on arbitrary labels', () => {
    const population = fc.integer({ min: 1, max: 4 }).chain((m) =>
      fc
        .array(fc.array(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant(NaN)), { minLength: m, maxLength: m }), {
          maxLength: 50,
        })
        .chain((rows) =>
          fc
            .array(fc.integer({ min: 0, max: Math.max(0, rows.length - 1) }), {
              minLength: rows.length,
              maxLength: rows.length,
            })
            .map((labels) => ({ m, n: rows.length, F: Float64Array.from(rows.flat()), labels: Int32Array.from(labels) })),
        ),
    );
    fc.assert(
      fc.property(population, ({ F, n, m, labels }) => {
        const fronts = new Int32Array(n);
        nonDominatedSort(F, n, m, fronts, createParetoWorkspace(n, m));
        for (const rank of [fronts, labels]) {
          const Fcopy = F.slice();
          const rankCopy = rank.slice();
          expect(Array.from(crowd(F, n, m, rank))).toEqual(Array.from(reference(F, n, m, rank)));
          expect(F).toEqual(Fcopy);
          expect(rank).toEqual(rankCopy);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a rank outside [0, n)', () => {
    expect(() => crowd(new Float64Array(4), 2, 2, Int32Array.from([0, 2]))).toThrow(/rank\[1\] = 2/);
  });
});
