/**
 * Ranking of an evaluated population, and the choice of one "best under constraints".
 *
 * Ranks are Deb's constraint-domination fronts (constraint-domination.ts): feasible Pareto fronts
 * first, then infeasible rows by violation. Crowding is Deb's distance within each of those fronts
 * (crowding.ts). F is minimised, NaN counting as +Infinity; violation 0 = feasible.
 */
import { constrainedRank, createConstrainedWorkspace, type ConstrainedWorkspace } from '../../native-free-kernels/pareto/constraint-domination.js';
import { createCrowdingWorkspace, crowdingDistance, type CrowdingWorkspace } from '../../native-free-kernels/pareto/crowding.js';

/** Scratch for `rankAndCrowd`, sized for up to maxN rows of up to maxM objectives. */
export interface RankingWorkspace {
  readonly maxN: number;
  readonly constrained: ConstrainedWorkspace;
  readonly crowding: CrowdingWorkspace;
}

/**
 * Allocate the scratch for ranking populations of up to `maxN` rows and `maxM` objectives.
 * @param maxN largest population
 * @param maxM largest number of objectives
 * @returns a reusable workspace
 */
export function createRankingWorkspace(maxN: number, maxM: number): RankingWorkspace {
  return { maxN, constrained: createConstrainedWorkspace(maxN, maxM), crowding: createCrowdingWorkspace(maxN) };
}

/**
 * Constrained rank and crowding distance of every row.
 * @param F objectives, row-major n × m, minimised
 * @param violation total constraint violation per row (0 = feasible, NaN = worst)
 * @param n number of rows
 * @param m number of objectives
 * @param outRank receives the front of each row
 * @param outCrowd receives the crowding distance of each row within its front
 * @param ws workspace from `createRankingWorkspace`
 * @returns the number of fronts
 */
export function rankAndCrowd(
  F: Float64Array,
  violation: Float64Array,
  n: number,
  m: number,
  outRank: Int32Array,
  outCrowd: Float64Array,
  ws: RankingWorkspace,
): number {
  const fronts = constrainedRank(F, violation, n, m, outRank, ws.constrained);
  crowdingDistance(F, n, m, outRank, outCrowd, ws.crowding);
  return fronts;
}

/**
 * Row order for survival: by rank, then crowding descending, then row number. Taking the first k
 * rows of this order is NSGA-II's fill-by-fronts with the last front cut by crowding.
 * @param rank front per row
 * @param crowding crowding distance per row
 * @param n number of rows
 * @param outOrder receives the row numbers in order (length >= n)
 */
export function survivalOrder(rank: Int32Array, crowding: Float64Array, n: number, outOrder: Int32Array): void {
  for (let i = 0; i < n; i++) outOrder[i] = i;
  outOrder
    .subarray(0, n)
    .sort((a, b) => rank[a] - rank[b] || (crowding[a] === crowding[b] ? a - b : crowding[a] > crowding[b] ? -1 : 1));
}

/**
 * The best row under constraints: among feasible rows of front 0, the lexicographic minimum of
 * (F[primary], the other objectives in column order), first row on a full tie. The lexicographic
 * minimum of the feasible rows is never dominated, so restricting to front 0 loses nothing.
 * @param F objectives, row-major n × m, minimised (NaN counts as +Infinity)
 * @param violation total constraint violation per row
 * @param rank constrained rank per row
 * @param n number of rows
 * @param m number of objectives
 * @param primary column of the primary objective
 * @returns the row, or -1 when no row is feasible
 */
export function bestUnderConstraints(
  F: Float64Array,
  violation: Float64Array,
  rank: Int32Array,
  n: number,
  m: number,
  primary: number,
): number {
  let best = -1;
  for (let i = 0; i < n; i++) {
    if (rank[i] !== 0 || violation[i] !== 0) continue;
    if (best < 0 || lexLess(F, m, primary, i, best)) best = i;
  }
  return best;
}

function lexLess(F: Float64Array, m: number, primary: number, i: number, j: number): boolean {
  const c = compareObjective(F[i * m + primary], F[j * m + primary]);
  if (c !== 0) return c < 0;
  for (let k = 0; k < m; k++) {
    if (k === primary) continue;
    const ck = compareObjective(F[i * m + k], F[j * m + k]);
    if (ck !== 0) return ck < 0;
  }
  return false;
}

function compareObjective(a: number, b: number): number {
  const x = a !== a ? Infinity : a;
  const y = b !== b ? Infinity : b;
  return x < y ? -1 : x > y ? 1 : 0;
}
