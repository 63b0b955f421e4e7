/**
 * Deb's crowding distance (Deb et al., NSGA-II, IEEE TEVC 6(2), 2002), computed within each front.
 *
 * For each front and each objective j, members are sorted by f_j (ties broken by row index, so the
 * result does not depend on sort internals). With lo/hi the first/last of that order:
 * - lo == hi: objective j separates nobody and adds 0 to every member;
 * - otherwise the first and last members get +Infinity, and each interior member at sorted place s
 *   adds (f_j[s+1] - f_j[s-1]) / (hi - lo); when hi - lo is infinite the interior adds 0.
 * A front with <= 2 members is all +Infinity. Contributions are summed in objective order.
 *
 * Input: `F` row-major n × m (NaN counts as +Infinity, as in pareto.ts); `rank` the fronts from
 * `nonDominatedSort` (or any labelling with values in [0, n)). Neither is written. `outCrowd` is
 * the caller's; scratch comes from `createCrowdingWorkspace(maxN)`.
 */
import { sortRowsLex } from './pareto.js';

/** Scratch for `crowdingDistance`, sized for up to maxN rows. */
export interface CrowdingWorkspace {
  readonly maxN: number;
  /** Row numbers grouped by front, each group in row order. */
  readonly members: Int32Array;
  /** Front -> start of its group in `members`; length maxN + 1. */
  readonly frontStart: Int32Array;
  /** One objective's values for the current front. */
  readonly values: Float64Array;
  /** Places 0..len-1 of the current front, sorted by `values`. */
  readonly byValue: Int32Array;
  /** Merge-sort buffer. */
  readonly tmp: Int32Array;
}

/**
 * Allocate the scratch for crowding distances of populations of up to `maxN` rows.
 * @param maxN largest population size
 * @returns a reusable workspace
 */
export function createCrowdingWorkspace(maxN: number): CrowdingWorkspace {
  if (!Number.isInteger(maxN) || maxN < 0) {
    throw new RangeError(`createCrowdingWorkspace: maxN must be an integer >= 0, got ${maxN}`);
  }
  return {
    maxN,
    members: new Int32Array(maxN),
    frontStart: new Int32Array(maxN + 1),
    values: new Float64Array(maxN),
    byValue: new Int32Array(maxN),
    tmp: new Int32Array(maxN),
  };
}

/**
 * Crowding distance of every row within its front.
 * @param F objectives, row-major n × m, minimised; NaN counts as +Infinity
 * @param n number of rows
 * @param m number of objectives (>= 1)
 * @param rank front of each row, values in [0, n)
 * @param outCrowd receives the crowding distance of each row (length >= n)
 * @param ws workspace from `createCrowdingWorkspace` with maxN >= n
 */
export function crowdingDistance(
  F: Float64Array,
  n: number,
  m: number,
  rank: Int32Array,
  outCrowd: Float64Array,
  ws: CrowdingWorkspace,
): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`crowdingDistance: n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`crowdingDistance: m must be an integer >= 1, got ${m}`);
  if (F.length < n * m) throw new RangeError(`crowdingDistance: F has ${F.length} values, need n*m = ${n * m}`);
  if (rank.length < n || outCrowd.length < n) {
    throw new RangeError(`crowdingDistance: rank and outCrowd need length >= n = ${n}`);
  }
  if (n > ws.maxN) {
    throw new RangeError(`crowdingDistance: workspace is for ${ws.maxN} rows, got ${n}; create a larger one`);
  }
  const { members, frontStart, values, byValue, tmp } = ws;
  // Counting sort of rows by front; stable, so each group stays in row order.
  frontStart.fill(0, 0, n + 1);
  let fronts = 0;
  for (let i = 0; i < n; i++) {
    const r = rank[i];
    if (!(r >= 0 && r < n)) throw new RangeError(`crowdingDistance: rank[${i}] = ${r} is outside [0, n = ${n})`);
    frontStart[r + 1]++;
    if (r + 1 > fronts) fronts = r + 1;
  }
  for (let r = 0; r < fronts; r++) frontStart[r + 1] += frontStart[r];
  for (let i = 0; i < n; i++) members[frontStart[rank[i]]++] = i;
  // The placing pass advanced each start to the next front's start; shift back.
  for (let r = fronts; r > 0; r--) frontStart[r] = frontStart[r - 1];
  frontStart[0] = 0;

  outCrowd.fill(0, 0, n);
  for (let r = 0; r < fronts; r++) {
    const start = frontStart[r];
    const len = frontStart[r + 1] - start;
    if (len <= 2) {
      for (let t = 0; t < len; t++) outCrowd[members[start + t]] = Infinity;
      continue;
    }
    for (let j = 0; j < m; j++) {
      for (let t = 0; t < len; t++) {
        const v = F[members[start + t] * m + j];
        values[t] = v !== v ? Infinity : v;
        byValue[t] = t;
      }
      sortRowsLex(values, 1, byValue, len, tmp);
      const lo = values[byValue[0]];
      const hi = values[byValue[len - 1]];
      if (lo === hi) continue;
      outCrowd[members[start + byValue[0]]] = Infinity;
      outCrowd[members[start + byValue[len - 1]]] = Infinity;
      const range = hi - lo;
      if (range === Infinity) continue;
      for (let s = 1; s < len - 1; s++) {
        outCrowd[members[start + byValue[s]]] += (values[byValue[s + 1]] - values[byValue[s - 1]]) / range;
      }
    }
  }
}
