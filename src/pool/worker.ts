/**
 * The piscina worker. It only wires: once per thread (module load) it builds the batch evaluator
 * from `workerData`, whose market data and derived columns are SharedArrayBuffer views, so the
 * thread reads the coordinator's memory without a copy; per task it evaluates the batch's X into a
 * fresh F and moves F back (a moved buffer is detached, so F is never reused).
 */
import { workerData } from 'node:worker_threads';
import { move } from 'piscina';
import { METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import type { SimulationContext } from '../simulation/context.js';
import { createEvaluator } from '../simulation/evaluator.js';
import type { ParamLayout } from '../config/param-layout.js';

/**
 * Test hook: make the batch holding `candidate` fail, by throwing, by ending the thread
 * (`process.exit`) or by blocking it until it is terminated; on the first `attempts` attempts only
 * (default: every attempt). Used only by tests.
 */
export interface FaultSpec {
  readonly candidate: number;
  readonly mode: 'throw' | 'exit' | 'hang';
  readonly attempts?: number;
}

/** What every thread of a pool receives once. */
export interface WorkerInit {
  readonly layout: ParamLayout;
  readonly ctx: SimulationContext;
  /** 0 for the main pool, k for the pool of the k-th retry of a batch. */
  readonly attempt: number;
  readonly fault: FaultSpec | null;
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
  if (init.fault !== null) injectFault(init.fault, task.ids);
  const F = new Float64Array(task.ids.length * METRIC_COUNT);
  evaluator.evaluate(task.X, task.ids.length, F);
  return move(F);
}

function injectFault(fault: FaultSpec, ids: Int32Array): void {
  if (!ids.includes(fault.candidate) || init.attempt >= (fault.attempts ?? Infinity)) return;
  if (fault.mode === 'throw') throw new Error(`injected fault at candidate ${fault.candidate}`);
  if (fault.mode === 'exit') process.exit(1);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
