/**
 * How many candidates go into one pool task. A task costs a fixed overhead (messages both ways,
 * scheduling, the result's allocation) on top of its rows' evaluation, so a batch must be large
 * enough for that overhead to stay a small fraction of its evaluation time, and no larger than that:
 * small batches balance the workers, report progress often and let an interrupt take effect soon.
 * Results never depend on the batch size (each candidate's row depends only on its own parameters).
 * The same measured costs bound how long a batch may take before it counts as hung (`batchTimeoutMs`).
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

export interface BatchTimeoutInputs {
  /** Evaluation time of one candidate and fixed cost of one task, ms (NaN when not measured). */
  readonly candidateMs: number;
  readonly taskOverheadMs: number;
  readonly batchSize: number;
  /** Tasks a worker holds at once: a batch may wait behind the others before it runs. */
  readonly tasksPerWorker: number;
  /** The timeout is never below this, ms (`pool.batch_timeout_min_s`), nor below `multiple` expected times. */
  readonly minMs: number;
  readonly multiple: number;
}

/**
 * How long a batch attempt may run before it is taken for hung: `multiple` times its expected time
 * (the measured costs, for every task a worker holds, since it may run last), and at least
 * `minMs`, which absorbs the noise of costs measured on one thread of a busy machine; just `minMs`
 * when the costs were not measured.
 * @returns the timeout, ms
 */
export function batchTimeoutMs(p: BatchTimeoutInputs): number {
  const expected = p.tasksPerWorker * (p.taskOverheadMs + p.batchSize * p.candidateMs);
  return Number.isFinite(expected) ? Math.max(p.minMs, p.multiple * expected) : p.minMs;
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
