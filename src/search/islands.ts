/**
 * The NSGA-II island model's search-side pieces: the islands' results joined into one ranked
 * result, and an island's emigrants (its best rows by front rank, then crowding).
 */
import type { SearchResult } from './optimize.js';
import { bestUnderConstraints, createRankingWorkspace, rankAndCrowd, survivalOrder } from './ranking.js';

/**
 * The union of the islands' candidates, in island order, ranked as a whole (constrained Pareto rank
 * and crowding over every row, the best on `primary`), as one search over them all would rank it.
 */
export function joinResults(results: readonly SearchResult[], primary: number): SearchResult {
  const [first] = results;
  const { m } = first;
  const n = results.reduce((s, r) => s + r.n, 0);
  const cat = <T extends Float64Array | Int32Array>(make: new (len: number) => T, pick: (r: SearchResult) => T): T => {
    const out = new make(results.reduce((s, r) => s + pick(r).length, 0));
    let at = 0;
    for (const r of results) {
      out.set(pick(r), at);
      at += pick(r).length;
    }
    return out;
  };
  const F = cat(Float64Array, (r) => r.F);
  const violation = cat(Float64Array, (r) => r.violation);
  const rank = new Int32Array(n);
  const crowding = new Float64Array(n);
  rankAndCrowd(F, violation, n, m, rank, crowding, createRankingWorkspace(n, m));
  return {
    ...first,
    n,
    U: cat(Float64Array, (r) => r.U),
    family: cat(Int32Array, (r) => r.family),
    arm: cat(Int32Array, (r) => r.arm),
    F,
    violation,
    rank,
    crowding,
    best: bestUnderConstraints(F, violation, rank, n, m, primary),
    generations: results.reduce((s, r) => s + r.generations, 0),
    stopReason: results[results.length - 1].stopReason,
    repairs: { rejected: results.reduce((s, r) => s + r.repairs.rejected, 0), repaired: results.reduce((s, r) => s + r.repairs.repaired, 0) },
  };
}

/**
 * An island's `k` best rows of the unit cube, by its own front rank then crowding (NSGA-II's
 * survival order), row-major.
 */
export function emigrants(island: SearchResult, k: number): Float64Array {
  const order = new Int32Array(island.n);
  survivalOrder(island.rank, island.crowding, island.n, order);
  const take = Math.min(k, island.n);
  const out = new Float64Array(take * island.dims);
  for (let i = 0; i < take; i++) out.set(island.U.subarray(order[i] * island.dims, (order[i] + 1) * island.dims), i * island.dims);
  return out;
}
