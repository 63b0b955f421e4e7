import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  constrainedDominates,
  constrainedRank,
  createConstrainedWorkspace,
} from '../../../native-free-kernels/pareto/constraint-domination.js';
import { dominatesNaive } from '../../reference/pareto.js';

/** Deb's rule written from the definition (NaN violation read as +Infinity). */
function beatsNaive(F: Float64Array, violation: Float64Array, m: number, i: number, j: number): boolean {
  const vi = Number.isNaN(violation[i]) ? Infinity : violation[i];
  const vj = Number.isNaN(violation[j]) ? Infinity : violation[j];
  const feasibleI = vi === 0;
  const feasibleJ = vj === 0;
  if (feasibleI && !feasibleJ) return true;
  if (!feasibleI && feasibleJ) return false;
  if (!feasibleI && !feasibleJ) return vi < vj;
  return dominatesNaive(F, m, i, j);
}

/** Peel fronts by brute force: a front is every remaining row that no remaining row beats. */
function peelNaive(F: Float64Array, violation: Float64Array, n: number, m: number): number[] {
  const rank = new Array<number>(n).fill(-1);
  for (let k = 0, left = n; left > 0; k++) {
    const front: number[] = [];
    for (let p = 0; p < n; p++) {
      if (rank[p] !== -1) continue;
      let beaten = false;
      for (let q = 0; q < n; q++) if (rank[q] === -1 && beatsNaive(F, violation, m, q, p)) beaten = true;
      if (!beaten) front.push(p);
    }
    for (const p of front) rank[p] = k;
    left -= front.length;
  }
  return rank;
}

function rankOf(F: Float64Array, violation: Float64Array, n: number, m: number): { ranks: Int32Array; fronts: number } {
  const ranks = new Int32Array(n);
  const fronts = constrainedRank(F, violation, n, m, ranks, createConstrainedWorkspace(n, m));
  return { ranks, fronts };
}

const population = fc.integer({ min: 1, max: 4 }).chain((m) =>
  fc
    .array(
      fc.record({
        f: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: m, maxLength: m }),
        // Mostly a few violation levels (ties), sometimes NaN.
        v: fc.oneof(fc.constantFrom(0, 0, 0, 0.5, 1, 2), fc.constant(NaN)),
      }),
      { maxLength: 40 },
    )
    .map((rows) => ({
      m,
      n: rows.length,
      F: Float64Array.from(rows.flatMap((r) => r.f)),
      violation: Float64Array.from(rows.map((r) => r.v)),
    })),
);

describe('constrainedRank', () => {
  it('ranks a hand-made case: feasible fronts, then infeasible by violation', () => {
    // Feasible rows 0 (1,1), 1 (0,2), 2 (2,2): row 2 is dominated by row 0 -> fronts {0,1}, {2}.
    // Infeasible: row 3 violation 0.5 (its objectives (0,0) would dominate everything: ignored),
    // rows 4 and 5 violation 2 (same front), row 6 NaN (worst). Fronts 2, 3, 4.
    const F = Float64Array.from([1, 1, 0, 2, 2, 2, 0, 0, 5, 5, 9, 9, 0, 0]);
    const violation = Float64Array.from([0, 0, 0, 0.5, 2, 2, NaN]);
    const { ranks, fronts } = rankOf(F, violation, 7, 2);
    expect(Array.from(ranks)).toEqual([0, 0, 1, 2, 3, 3, 4]);
    expect(fronts).toBe(5);
  });

  it('equals brute-force peeling under Deb’s rule and puts every feasible row first', () => {
    fc.assert(
      fc.property(population, ({ F, violation, n, m }) => {
        const Fcopy = F.slice();
        const violationCopy = violation.slice();
        const { ranks, fronts } = rankOf(F, violation, n, m);
        expect(Array.from(ranks)).toEqual(peelNaive(F, violation, n, m));
        expect(fronts).toBe(n === 0 ? 0 : Math.max(...ranks) + 1);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            if (violation[i] === 0 && violation[j] !== 0) expect(ranks[i]).toBeLessThan(ranks[j]);
            const vi = Number.isNaN(violation[i]) ? Infinity : violation[i];
            const vj = Number.isNaN(violation[j]) ? Infinity : violation[j];
            if (vi !== 0 && vj !== 0) expect(Math.sign(ranks[i] - ranks[j])).toBe(Math.sign(vi - vj) || 0);
          }
        }
        expect(F).toEqual(Fcopy);
        expect(violation).toEqual(violationCopy);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a negative violation', () => {
    expect(() => rankOf(Float64Array.from([0, 0]), Float64Array.from([0, -1]), 2, 1)).toThrow(/violation\[1\] = -1/);
  });
});

describe('constrainedDominates', () => {
  it('agrees with the definition for every pair, and a winner always ranks ahead', () => {
    fc.assert(
      fc.property(population, ({ F, violation, n, m }) => {
        const { ranks } = rankOf(F, violation, n, m);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const beats = constrainedDominates(i, j, F, violation, m);
            expect(beats).toBe(beatsNaive(F, violation, m, i, j));
            if (beats) expect(ranks[i]).toBeLessThan(ranks[j]);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
