/**
 * How many candidates go into one pool task. A task costs a fixed overhead (messages both ways,
 * scheduling, the result's allocation) on top of its rows' evaluation, so a batch must be large
 * enough for that overhead to stay a small fraction of its evaluation time, and no larger than that:
 * small batches balance the workers, report progress often and let an interrupt take effect soon.
 * Results never depend on the batch size (each candidate's row depends only on its own parameters).
 */
import { performance } from 'node:perf_hooks';
import { METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import type { BatchEvaluator } from '../simulation/evaluator.js';

export interface BatchSizeInputs {
  /** Evaluation time of one candidate, ms. */
  readonly candidateMs: number;
  /** Fixed cost of one task, ms. */
  readonly taskOverheadMs: number;
  /** Largest allowed overhead / evaluation time of a batch. */
  readonly maxOverheadFraction: number;
  /** Candidates still to evaluate. */
  readonly pending: number;
  readonly workers: number;
}

/**
 * The smallest batch whose overhead stays within `maxOverheadFraction` of its evaluation time,
 * capped at one worker's share of the pending candidates (a bigger batch would idle a worker).
 * @returns a batch size >= 1
 */
export function chooseBatchSize(p: BatchSizeInputs): number {
  const forOverhead = Math.ceil(p.taskOverheadMs / (p.maxOverheadFraction * p.candidateMs));
  const share = Math.ceil(p.pending / p.workers);
  return Math.max(1, Math.min(Number.isFinite(forOverhead) ? forOverhead : share, share));
}

/**
 * Time the evaluator in this thread on `sampleRows` candidates spread evenly over `ids`, pass after
 * pass until at least `minMs` have elapsed; the fastest pass stands for warmed-up code, as in a worker.
 * @param X parameter matrix (row-major, `d` columns); only the sampled rows are read
 * @returns evaluation time per candidate, ms
 */
export function measureCandidateMs(evaluator: BatchEvaluator, X: Float64Array, d: number, ids: Int32Array, sampleRows: number, minMs: number): number {
  const rows = Math.min(sampleRows, ids.length);
  const sample = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    const id = ids[Math.floor((r * ids.length) / rows)];
    sample.set(X.subarray(id * d, (id + 1) * d), r * d);
  }
  const F = new Float64Array(rows * METRIC_COUNT);
  let best = Infinity;
  for (let spent = 0; spent < minMs; ) {
    const t0 = performance.now();
    evaluator.evaluate(sample, rows, F);
    const dt = performance.now() - t0;
    spent += dt;
    best = Math.min(best, dt);
  }
  return best / rows;
}
