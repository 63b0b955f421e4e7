/**
 * The piscina worker. It only wires: once per thread (module load) it builds the batch evaluator
 * from `workerData`, whose market data and derived columns are SharedArrayBuffer views, so the
 * thread reads the coordinator's memory without a copy; per task it evaluates the batch's X into a
 * fresh F and moves F back (a moved buffer is detached, so F is never reused).
 *
 * A pool runs whatever worker module its settings name (`PoolSettings.workerFile`); tests wrap
 * this one in fixture workers that fail on purpose (tests/fixtures/pool/).
 */
import { workerData } from 'node:worker_threads';
import { move } from 'piscina';
import { METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import type { SimulationContext } from '../simulation/context.js';
import { createEvaluator } from '../simulation/evaluator.js';
import type { ParamLayout } from '../config/param-layout.js';

/** What every thread of a pool receives once. */
export interface WorkerInit {
  readonly layout: ParamLayout;
  readonly ctx: SimulationContext;
  /** 0 for the main pool, k for the pool of the k-th retry of a batch (a worker module may log or act on it). */
  readonly attempt: number;
}

/** One task: rows of X (row-major, layout column order) and the candidate ids of those rows. */
export interface BatchTask {
  readonly X: Float64Array;
  readonly ids: Int32Array;
}

const init = workerData as WorkerInit;
const evaluator = createEvaluator(init.layout, init.ctx);

/** Evaluate one batch; returns its metric matrix (ids.length x METRIC_COUNT), moved to the caller. */
export default function evaluateBatch(task: BatchTask): ReturnType<typeof move> {
  const F = new Float64Array(task.ids.length * METRIC_COUNT);
  evaluator.evaluate(task.X, task.ids.length, F);
  return move(F);
}
