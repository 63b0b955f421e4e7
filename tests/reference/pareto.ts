/**
 * Reference twin of native-free-kernels/pareto/pareto.ts: Deb's textbook fast non-dominated sort
 * (NSGA-II, IEEE TEVC 6(2), 2002), O(M N^2), written straight from the definition.
 * NaN counts as +Infinity, as in the fast kernel.
 */

/** Objective k of row i, NaN read as +Infinity. */
function value(F: Float64Array, m: number, i: number, k: number): number {
  const v = F[i * m + k];
  return Number.isNaN(v) ? Infinity : v;
}

/** a dominates b: a <= b in every objective and a < b in at least one. */
export function dominatesNaive(F: Float64Array, m: number, a: number, b: number): boolean {
  let strictlyBetterSomewhere = false;
  for (let k = 0; k < m; k++) {
    const x = value(F, m, a, k);
    const y = value(F, m, b, k);
    if (x > y) return false;
    if (x < y) strictlyBetterSomewhere = true;
  }
  return strictlyBetterSomewhere;
}

/** Deb's fast non-dominated sort; same contract as nonDominatedSort, without a workspace. */
export function nonDominatedSortNaive(F: Float64Array, n: number, m: number, outRank: Int32Array): number {
  const dominated: number[][] = [];
  const dominatorCount: number[] = [];
  let front: number[] = [];
  for (let p = 0; p < n; p++) {
    dominated.push([]);
    dominatorCount.push(0);
    for (let q = 0; q < n; q++) {
      if (dominatesNaive(F, m, p, q)) dominated[p].push(q);
      else if (dominatesNaive(F, m, q, p)) dominatorCount[p]++;
    }
    if (dominatorCount[p] === 0) front.push(p);
  }
  let k = 0;
  while (front.length > 0) {
    const next: number[] = [];
    for (const p of front) {
      outRank[p] = k;
      for (const q of dominated[p]) {
        dominatorCount[q]--;
        if (dominatorCount[q] === 0) next.push(q);
      }
    }
    front = next;
    k++;
  }
  return k;
}
