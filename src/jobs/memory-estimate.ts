/**
 * What an optimize run keeps per candidate, so that a budget the machine cannot hold is refused
 * before anything starts (`checkBudgetMemory`). Only the search's record of every candidate grows
 * with the budget:
 * - the search (src/search/optimize.ts) keeps each candidate's unit-cube point (8 bytes a
 *   dimension), family and arm (4 + 4), objectives (8 m) and violation (8), in columns grown by
 *   doubling, so up to twice that while the last growth copies;
 * - the final ranking adds its rank and crowding (4 + 8) and the scratch of constrained
 *   non-dominated sorting and crowding (native-free-kernels/pareto: 24 m + 84).
 * Everything else is bounded: a generation's rows leave memory when the write queue flushes,
 * the memo has a byte cap (`runtime.memo_max_bytes`), and the front is re-simulated for the report.
 */
import type { ParamLayout } from '../config/param-layout.js';
import { checkMemoryEstimate } from '../memory-limit.js';

/**
 * Upper bound of the bytes an optimize run keeps per candidate.
 * @param dims the widest family's parameters
 * @param m objectives
 */
export function bytesPerCandidate(dims: number, m: number): number {
  const search = 2 * (8 * dims + 4 + 4 + 8 * m + 8);
  const ranking = 4 + 8 + (16 * m + 8 * 4) + (8 * m + 5 * 4 + 8) + (2 * 4 + 8 + 2 * 4);
  return search + ranking;
}

/** Refuse a budget whose estimated memory is above `runtime.memory_fraction` of the machine's (`--budget` itself is capped at `MAX_BUDGET` in src/config/optimizer-settings.ts). */
export function checkBudgetMemory(budget: number, layouts: readonly ParamLayout[], m: number, memoryFraction: number): void {
  const dims = Math.max(...layouts.map((l) => l.params.length));
  const per = bytesPerCandidate(dims, m);
  checkMemoryEstimate(`--budget ${budget}`, budget * per, `${per} bytes per candidate for ${dims} parameters and ${m} objectives`, memoryFraction);
}
