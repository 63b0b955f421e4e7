/**
 * Sharded batch runs (`pnlopt optimize --shard I/N`): N processes, on as many machines, each evaluate
 * one block of the candidates of one population run (random, LHS, Sobol, Halton) into a store of
 * their own, and `pnlopt merge` (merge.ts) joins them into the run one machine would have made.
 *
 * The slice is a contiguous block of candidate ids: with budget B, shard I evaluates ids
 * I*q + min(I, r) .. (I+1)*q + min(I+1, r) - 1, where q = floor(B / N) and r = B mod N (the first r
 * shards take one candidate more). Every shard still runs the whole search with the run's seed, so
 * its sampler proposes every batch of the population and numbers it as one machine would; only the
 * block is evaluated. A population optimizer learns nothing from results (its `tell` is empty), so
 * the points do not depend on which candidates were evaluated where. A block, not ids mod N, because
 * the evaluation numbers a batch's rows from its first id: a block is one contiguous run of rows.
 * NSGA-II learns from results: its shard is an island evolving its block on its own (islands.ts).
 */
import { SAMPLER_KINDS, type OptimizerKind } from '../config/optimizer-kinds.js';
import { UsageError } from '../errors.js';
import type { Evaluation } from '../search/optimize.js';

/** Shard `index` (from 0) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Candidate ids `first` .. `end - 1`. */
export interface IdBlock {
  readonly first: number;
  readonly end: number;
}

/** What a shard's run records (in `sampler_json` and its summary): which shard, and its block of ids. */
export interface ShardRecord {
  readonly index: number;
  readonly count: number;
  readonly first_id: number;
  readonly end_id: number;
}

/**
 * The block of candidate ids shard `shard` evaluates out of `budget` (see the header).
 * @returns ids first .. end - 1; empty when the shard count exceeds the budget and this shard gets none
 */
export function shardBlock(shard: Shard, budget: number): IdBlock {
  const q = Math.floor(budget / shard.count);
  const r = budget % shard.count;
  const start = (i: number) => i * q + Math.min(i, r);
  return { first: start(shard.index), end: start(shard.index + 1) };
}

export function shardRecord(shard: Shard, budget: number): ShardRecord {
  const b = shardBlock(shard, budget);
  return { index: shard.index, count: shard.count, first_id: b.first, end_id: b.end };
}

/** `I/N` as a shard, or why not. */
export function parseShard(text: string): Shard | string {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null) return `expected I/N (shard I from 0 of N, e.g. 0/4), got "${text}"`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(count) || count < 1) return `expected N >= 1, got "${text}"`;
  if (index >= count) return `expected I from 0 to N - 1 = ${count - 1}, got "${text}"`;
  return { index, count };
}

/**
 * Refuse a shard of a run that cannot be split: annealing and the bandit learn from every result
 * and need them all in one process (an NSGA-II shard is an island of its own, islands.ts), and a
 * wall-time limit would leave a shard's block part done.
 */
export function checkShardable(optimizer: OptimizerKind, maxSeconds: number): void {
  if (optimizer !== ISLAND_OPTIMIZER && !(SAMPLER_KINDS as readonly string[]).includes(optimizer)) {
    throw new UsageError(`--shard: --optimizer ${optimizer} learns from every result, so its search cannot be split; shard one of the population optimizers ${SAMPLER_KINDS.join(', ')}, or ${ISLAND_OPTIMIZER} as islands`);
  }
  if (Number.isFinite(maxSeconds)) throw new UsageError('--shard with --max-seconds: a shard must evaluate its whole block of candidates; drop --max-seconds');
}

/** The optimizer whose shards are islands (islands.ts). */
export const ISLAND_OPTIMIZER = 'nsga2';

type FamilyEvaluate = (U: Float64Array, n: number, family: number) => Promise<Evaluation>;

/**
 * `evaluate` over the block only. The search hands over every batch in id order (a batch is the
 * ids after the previous one's); the rows inside the block go to `evaluate` with `counter.next` set
 * to their first id, and the rest come back unevaluated: NaN objectives and violation, which a
 * population optimizer never reads.
 * @param m objectives per row
 */
export function blockEvaluate(block: IdBlock, m: number, counter: { next: number }, evaluate: FamilyEvaluate): FamilyEvaluate {
  let proposed = 0;
  return async (U, n, family) => {
    const start = proposed;
    proposed += n;
    const lo = Math.min(n, Math.max(0, block.first - start));
    const hi = Math.min(n, Math.max(0, block.end - start));
    const F = new Float64Array(n * m).fill(NaN);
    const violation = new Float64Array(n).fill(NaN);
    if (hi > lo) {
      const d = U.length / n;
      counter.next = start + lo;
      const e = await evaluate(U.subarray(lo * d, hi * d), hi - lo, family);
      F.set(e.F.subarray(0, (hi - lo) * m), lo * m);
      violation.set(e.violation.subarray(0, hi - lo), lo);
    }
    return { F, violation };
  };
}
