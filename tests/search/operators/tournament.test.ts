import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constrainedDominates, constrainedRank, createConstrainedWorkspace } from '../../../native-free-kernels/pareto/constraint-domination.js';
import { createCrowdingWorkspace, crowdingDistance } from '../../../native-free-kernels/pareto/crowding.js';
import { binaryTournament, tournamentWinner } from '../../../src/search/operators/tournament.js';
import { createRng } from '../../../src/rng.js';

const never = () => {
  throw new Error('no draw expected');
};

describe('tournamentWinner', () => {
  it('prefers the lower constrained rank, then the larger crowding, then a coin', () => {
    const rank = new Int32Array([0, 1, 1, 2, 2]);
    const crowding = new Float64Array([0, Infinity, 0.5, 0.5, 0.5]);
    // A feasible front-0 row with no crowding beats a row of a later front with infinite crowding.
    expect(tournamentWinner(0, 1, rank, crowding, never)).toBe(0);
    expect(tournamentWinner(1, 0, rank, crowding, never)).toBe(0);
    expect(tournamentWinner(2, 1, rank, crowding, never)).toBe(1);
    // Full tie: the coin decides (below 1/2: the first).
    expect(tournamentWinner(3, 4, rank, crowding, () => 0.2)).toBe(3);
    expect(tournamentWinner(3, 4, rank, crowding, () => 0.7)).toBe(4);
  });

  it('lets a row win against every row it constraint-dominates (Deb’s rule), in either order', () => {
    const row = fc.record({
      f: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
      v: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 3 })),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 2, maxLength: 25 }), (rows) => {
        const n = rows.length;
        const F = new Float64Array(rows.flatMap((r) => r.f));
        const V = new Float64Array(rows.map((r) => r.v));
        const rank = new Int32Array(n);
        const crowd = new Float64Array(n);
        constrainedRank(F, V, n, 2, rank, createConstrainedWorkspace(n, 2));
        crowdingDistance(F, n, 2, rank, crowd, createCrowdingWorkspace(n));
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            if (!constrainedDominates(i, j, F, V, 2)) continue;
            if (tournamentWinner(i, j, rank, crowd, never) !== i || tournamentWinner(j, i, rank, crowd, never) !== i) return false;
          }
        }
        return true;
      }),
    );
  });

  it('puts every feasible row ahead of every infeasible one, and less violation first', () => {
    // Rows: feasible but dominated (1, 1); infeasible with the best objectives (0, 0), violation 2
    // and 1. Ranks: feasible front 0, then violation 1, then violation 2.
    const F = new Float64Array([1, 1, 0, 0, 0, 0]);
    const V = new Float64Array([0, 2, 1]);
    const rank = new Int32Array(3);
    constrainedRank(F, V, 3, 2, rank, createConstrainedWorkspace(3, 2));
    const crowd = new Float64Array([0, Infinity, Infinity]);
    expect(Array.from(rank)).toEqual([0, 2, 1]);
    expect(tournamentWinner(0, 2, rank, crowd, never)).toBe(0);
    expect(tournamentWinner(1, 2, rank, crowd, never)).toBe(2);
  });
});

describe('binaryTournament', () => {
  it('enters every row in two tournaments per n winners: the best wins twice, the worst never', () => {
    const n = 11;
    const rank = new Int32Array(Array.from({ length: n }, (_, i) => (i * 7) % n));
    const crowd = new Float64Array(n);
    const winners = new Int32Array(n);
    binaryTournament(rank, crowd, n, n, createRng(5, 'tournament'), winners, new Int32Array(n));
    const best = rank.indexOf(0);
    const worst = rank.indexOf(n - 1);
    expect(winners.filter((w) => w === best).length).toBe(2);
    expect(winners.filter((w) => w === worst).length).toBe(0);
    for (const w of winners) expect(w >= 0 && w < n).toBe(true);
  });

  it('is reproducible from the stream', () => {
    const rank = new Int32Array([0, 1, 0, 2, 1, 0]);
    const crowd = new Float64Array([1, 2, 3, 4, 5, 6]);
    const a = new Int32Array(9);
    const b = new Int32Array(9);
    binaryTournament(rank, crowd, 6, 9, createRng(9, 't'), a, new Int32Array(6));
    binaryTournament(rank, crowd, 6, 9, createRng(9, 't'), b, new Int32Array(6));
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
