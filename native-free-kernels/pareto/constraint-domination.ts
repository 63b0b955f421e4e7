/**
 * Deb's constraint-domination (Deb, "An efficient constraint handling method for genetic
 * algorithms", CMAME 186, 2000; used by NSGA-II): i beats j iff
 * - i is feasible and j is not, or
 * - both are infeasible and i has the smaller total violation, or
 * - both are feasible and i Pareto-dominates j.
 *
 * Input: `F` row-major n × m, minimised (NaN counts as +Infinity, as in pareto.ts); `violation`
 * the total constraint violation per row, 0 = feasible, > 0 infeasible, NaN counts as +Infinity
 * (the worst violation). Neither is written. Ranks: feasible rows take the Pareto fronts 0..k-1;
 * infeasible rows follow, one front per distinct violation, ascending. `outRank` is the caller's;
 * scratch comes from `createConstrainedWorkspace(maxN, maxM)`.
 */
import { createParetoWorkspace, dominates, nonDominatedSort, sortRowsLex, type ParetoWorkspace } from './pareto.js';

/** Scratch for `constrainedRank`, sized for up to maxN rows of up to maxM objectives. */
export interface ConstrainedWorkspace {
  readonly maxN: number;
  readonly maxM: number;
  readonly pareto: ParetoWorkspace;
  /** Objectives of the feasible rows, packed. */
  readonly feasibleF: Float64Array;
  /** Packed feasible place -> row. */
  readonly feasibleRow: Int32Array;
  /** Fronts of the packed feasible rows. */
  readonly feasibleRank: Int32Array;
  /** Packed infeasible place -> row. */
  readonly infeasibleRow: Int32Array;
  /** Violation of each packed infeasible row, NaN replaced by +Infinity. */
  readonly infeasibleViolation: Float64Array;
  /** Packed infeasible places sorted by violation. */
  readonly byViolation: Int32Array;
  /** Merge-sort buffer. */
  readonly tmp: Int32Array;
}

/**
 * Allocate the scratch for constrained ranking of up to `maxN` rows and `maxM` objectives.
 * @param maxN largest population size
 * @param maxM largest number of objectives
 * @returns a reusable workspace
 */
export function createConstrainedWorkspace(maxN: number, maxM: number): ConstrainedWorkspace {
  const pareto = createParetoWorkspace(maxN, maxM);
  return {
    maxN,
    maxM,
    pareto,
    feasibleF: new Float64Array(maxN * maxM),
    feasibleRow: new Int32Array(maxN),
    feasibleRank: new Int32Array(maxN),
    infeasibleRow: new Int32Array(maxN),
    infeasibleViolation: new Float64Array(maxN),
    byViolation: new Int32Array(maxN),
    tmp: new Int32Array(maxN),
  };
}

/**
 * Rank rows by constraint-domination: feasible Pareto fronts first, then infeasible rows by
 * violation ascending (equal violation, same front).
 * @param F objectives, row-major n × m, minimised
 * @param violation total constraint violation per row (>= 0, 0 = feasible, NaN = worst)
 * @param n number of rows
 * @param m number of objectives (>= 1)
 * @param outRank receives the front of each row (length >= n)
 * @param ws workspace from `createConstrainedWorkspace` with maxN >= n and maxM >= m
 * @returns the number of fronts
 */
export function constrainedRank(
  F: Float64Array,
  violation: Float64Array,
  n: number,
  m: number,
  outRank: Int32Array,
  ws: ConstrainedWorkspace,
): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`constrainedRank: n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`constrainedRank: m must be an integer >= 1, got ${m}`);
  if (F.length < n * m) throw new RangeError(`constrainedRank: F has ${F.length} values, need n*m = ${n * m}`);
  if (violation.length < n || outRank.length < n) {
    throw new RangeError(`constrainedRank: violation and outRank need length >= n = ${n}`);
  }
  if (n > ws.maxN || m > ws.maxM) {
    throw new RangeError(
      `constrainedRank: workspace is for ${ws.maxN} × ${ws.maxM}, got ${n} × ${m}; create a larger one with createConstrainedWorkspace`,
    );
  }
  const { feasibleF, feasibleRow, feasibleRank, infeasibleRow, infeasibleViolation, byViolation, tmp } = ws;
  let nFeasible = 0;
  let nInfeasible = 0;
  for (let i = 0; i < n; i++) {
    const v = violation[i];
    if (v < 0) throw new RangeError(`constrainedRank: violation[${i}] = ${v} must be >= 0 (0 = feasible)`);
    if (v === 0) {
      const dst = nFeasible * m;
      for (let j = 0; j < m; j++) feasibleF[dst + j] = F[i * m + j];
      feasibleRow[nFeasible++] = i;
    } else {
      infeasibleRow[nInfeasible] = i;
      infeasibleViolation[nInfeasible] = v !== v ? Infinity : v;
      byViolation[nInfeasible] = nInfeasible;
      nInfeasible++;
    }
  }
  let fronts = nonDominatedSort(feasibleF, nFeasible, m, feasibleRank, ws.pareto);
  for (let t = 0; t < nFeasible; t++) outRank[feasibleRow[t]] = feasibleRank[t];
  sortRowsLex(infeasibleViolation, 1, byViolation, nInfeasible, tmp);
  for (let s = 0; s < nInfeasible; s++) {
    const v = infeasibleViolation[byViolation[s]];
    if (s === 0 || v !== infeasibleViolation[byViolation[s - 1]]) fronts++;
    outRank[infeasibleRow[byViolation[s]]] = fronts - 1;
  }
  return fronts;
}

/**
 * Whether row i constraint-dominates row j (for binary tournaments). Contract as in
 * `constrainedRank`; not re-checked here because tournaments call it in a loop.
 * @param i candidate winner
 * @param j candidate loser
 * @param F objectives, row-major, minimised
 * @param violation total constraint violation per row
 * @param m number of objectives
 * @returns true iff i beats j under Deb's rules
 */
export function constrainedDominates(i: number, j: number, F: Float64Array, violation: Float64Array, m: number): boolean {
  const a = violation[i];
  const b = violation[j];
  const vi = a !== a ? Infinity : a;
  const vj = b !== b ? Infinity : b;
  if (vi === 0) return vj !== 0 || dominates(F, i, j, m);
  if (vj === 0) return false;
  return vi < vj;
}
