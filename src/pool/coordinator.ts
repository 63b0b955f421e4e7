/**
 * Parallel evaluation of a population over a piscina worker pool.
 *
 * Market data and derived columns reach each worker once, through `workerData` (SharedArrayBuffer
 * views, so nothing is copied); a task carries only its rows of X and their candidate ids (both
 * transferred), and returns its metric matrix (transferred back). Every finished batch goes to a
 * sink by candidate id, whatever order batches finish in, so the metrics do not depend on the
 * number of workers or the batch size.
 *
 * A batch whose worker throws, dies or runs past the batch timeout (derived from the measured
 * costs, `batchTimeoutMs`; the hung thread is terminated and replaced) is retried on a fresh
 * single-thread pool, up to `maxRetries` times; a batch that still fails is reported to the sink as
 * failed and the run goes on or stops (`onBatchFailure`). Aborting the run's signal stops
 * scheduling; in-flight batches may finish for `interruptGraceMs`, then they are aborted (and left
 * for a resume).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import { projectRoot } from '../paths.js';
import type { SimulationContext } from '../simulation/context.js';
import { createEvaluator, type BatchEvaluator } from '../simulation/evaluator.js';
import type { ParamLayout } from '../config/param-layout.js';
import { runBatches, type BatchResult } from './batch-driver.js';
import { batchTimeoutMs, chooseBatchSize, measureCandidateMs } from './batch-size.js';
import type { BatchTask, WorkerInit } from './worker.js';

/** One task running and one waiting per worker, so a worker never idles while the main thread writes results. */
const TASKS_PER_WORKER = 2;

/**
 * What a batch that failed on every attempt does to the run (`pool.on_batch_failure`): `stop` ends
 * it at once, `fail` and `continue` finish it; the command then exits 1 unless it is `continue`.
 */
export type BatchFailurePolicy = 'stop' | 'fail' | 'continue';

/** Thrown by a job when a batch failed on every attempt and `pool.on_batch_failure` is `stop`: the run ends. */
export class BatchFailedError extends Error {
  override name = 'BatchFailedError';
}

/** How a run uses the pool. Every field comes from config or the command line; none has a default here. */
export interface PoolSettings {
  readonly workers: number;
  /** The compiled worker module the threads run (`workerFile()`, or a test's fixture wrapping it). */
  readonly workerFile: string;
  /** Candidates per task; when absent, chosen by `chooseBatchSize` from measured costs. */
  readonly batchSize?: number;
  readonly onBatchFailure: BatchFailurePolicy;
  /** Attempts of a failed batch on a fresh worker before it is recorded as failed. */
  readonly maxRetries: number;
  /** After an interrupt, how long in-flight batches may still run before they are aborted, ms. */
  readonly interruptGraceMs: number;
  /** A batch attempt is cancelled after max(this, `batchTimeoutMultiple` x its expected time), ms. */
  readonly batchTimeoutMinMs: number;
  readonly batchTimeoutMultiple: number;
  /** Largest allowed per-task overhead, as a fraction of a batch's evaluation time. */
  readonly maxOverheadFraction: number;
  /** Candidates timed in the main thread to estimate the cost of one. */
  readonly calibrationRows: number;
  /** Minimum time spent on that estimate, ms. */
  readonly calibrationMs: number;
  /** Empty round trips timed to estimate the per-task overhead. */
  readonly overheadProbes: number;
}

/** Where finished batches go, as they finish. A sink that throws ends the run (the error is rethrown). */
export interface BatchSink {
  /** `F` holds one metric row per id, in the order of `ids`. */
  ok(ids: Int32Array, F: Float64Array): void;
  failed(ids: Int32Array, error: string): void;
}

export type RunStatus = 'completed' | 'interrupted' | 'failed';

/** What became of a run's batches. */
export interface RunOutcome {
  /** `failed` only when a failed batch stopped the run; failed batches under `continue` still complete it. */
  readonly status: RunStatus;
  /** Candidates reported to the sink as evaluated / as failed. */
  readonly evaluated: number;
  readonly failed: number;
  /** The error of the first batch reported failed, null when none was. */
  readonly firstError: string | null;
  /** Retry attempts: each attempt of a batch after its first. */
  readonly retried: number;
  readonly batchSize: number;
  readonly batches: number;
}

/** A run's outcome with the pool figures behind its batch size. */
export interface EvaluationReport extends RunOutcome {
  readonly workers: number;
  /** Main-thread estimate of one candidate's cost, ms. */
  readonly candidateMs: number;
  /** Measured per-task overhead, ms. */
  readonly taskOverheadMs: number;
  /** Time from creating the pool to every worker answering, ms. */
  readonly startupMs: number;
}

export interface RunHooks {
  /** Aborting it interrupts the run. */
  readonly signal?: AbortSignal;
  /** Called after each batch reaches the sink, with the candidates done so far in this run. */
  readonly onProgress?: (done: number) => void;
}

/** Worker threads by default: every core the process may use. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** The compiled worker; workers run JavaScript from dist/ even when the coordinator runs from src/ under vitest. */
export function workerFile(root = projectRoot()): string {
  const file = join(root, 'dist', 'src', 'pool', 'worker.js');
  if (!existsSync(file)) throw new Error(`pool worker ${file} is missing: run npm run build`);
  return file;
}

/** A started pool of workers that all hold the same evaluator inputs. */
export class EvaluationPool {
  /** Main-thread estimate of one candidate's cost and the measured per-task overhead, ms (NaN until measured). */
  private measured = { candidateMs: NaN, taskOverheadMs: NaN };

  private constructor(
    private readonly pool: Piscina,
    private readonly init: WorkerInit,
    private readonly file: string,
    readonly workers: number,
    /** Time from creating the pool to every worker answering, ms. */
    readonly startupMs: number,
  ) {}

  /** Start `workers` threads running the worker module `file` and wait until each has built its evaluator. */
  static async start(layout: ParamLayout, ctx: SimulationContext, workers: number, file: string): Promise<EvaluationPool> {
    const init: WorkerInit = { layout, ctx, attempt: 0 };
    const t0 = performance.now();
    const pool = newPiscina(file, init, workers);
    try {
      await Promise.all(Array.from({ length: workers }, () => pool.run(emptyTask())));
    } catch (err) {
      await pool.destroy();
      throw err;
    }
    return new EvaluationPool(pool, init, file, workers, performance.now() - t0);
  }

  /**
   * Candidates per task: `settings.batchSize` when given, else `chooseBatchSize` from the costs.
   * The costs are measured once per pool (the candidate cost on `evaluator()` in this thread, over
   * the rows `ids` of X), also when the batch size is given: the batch timeout derives from them.
   */
  async batchSize(evaluator: () => BatchEvaluator, X: Float64Array, d: number, ids: Int32Array, settings: PoolSettings): Promise<number> {
    if (Number.isNaN(this.measured.candidateMs)) {
      const candidateMs = measureCandidateMs(evaluator(), X, d, ids, settings.calibrationRows, settings.calibrationMs);
      this.measured = { candidateMs, taskOverheadMs: await this.measureTaskOverheadMs(settings.overheadProbes) };
    }
    if (settings.batchSize !== undefined) return settings.batchSize;
    return chooseBatchSize({ ...this.measured, maxOverheadFraction: settings.maxOverheadFraction, pending: ids.length, workers: this.workers });
  }

  /** The costs behind the batch size and timeout, ms (NaN until `batchSize` measured them). */
  get costs(): { readonly candidateMs: number; readonly taskOverheadMs: number } {
    return this.measured;
  }

  /** Mean round trip of an empty task over `probes` sequential tasks, ms: the fixed cost of a task. */
  async measureTaskOverheadMs(probes: number): Promise<number> {
    const t0 = performance.now();
    for (let i = 0; i < probes; i++) await this.pool.run(emptyTask());
    return (performance.now() - t0) / probes;
  }

  /**
   * Evaluate the candidates `ids` (rows of X, row-major with `d` columns) in batches of `batchSize`,
   * reporting each finished batch to `sink`.
   */
  run(X: Float64Array, d: number, ids: Int32Array, batchSize: number, settings: PoolSettings, sink: BatchSink, hooks: RunHooks = {}): Promise<RunOutcome> {
    const timeoutMs = batchTimeoutMs({ ...this.measured, batchSize, tasksPerWorker: TASKS_PER_WORKER, minMs: settings.batchTimeoutMinMs, multiple: settings.batchTimeoutMultiple });
    return runBatches(ids, batchSize, settings, sink, hooks, {
      concurrency: this.workers * TASKS_PER_WORKER,
      // A few tasks per worker are in flight: letting them finish loses nothing and wastes little.
      onFailureStop: 'drain',
      evaluate: (batchIds, signal, onRetry) => this.attempts(X, d, batchIds, settings.maxRetries, timeoutMs, signal, onRetry),
    });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }

  /**
   * Run one batch: once on this pool, then up to `retries` times, each on a fresh single-thread
   * pool (a worker that threw may hold broken state; one that died or hung is gone). An attempt
   * still running after `timeoutMs` is aborted, which terminates its thread (piscina replaces it).
   * @returns its metric matrix, the last error, or 'aborted' when the run's in-flight batches were aborted
   */
  private async attempts(
    X: Float64Array,
    d: number,
    ids: Int32Array,
    retries: number,
    timeoutMs: number,
    signal: AbortSignal,
    onRetry: () => void,
  ): Promise<BatchResult> {
    let error = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      // An abort that came before this attempt would not reach its listener below.
      if (signal.aborted) return 'aborted';
      if (attempt > 0) onRetry();
      const pool = attempt === 0 ? this.pool : newPiscina(this.file, { ...this.init, attempt }, 1);
      // Fired by the run's abort or by the timeout; only the timeout counts as the batch's failure.
      const attemptAbort = new AbortController();
      const onRunAbort = () => attemptAbort.abort();
      signal.addEventListener('abort', onRunAbort, { once: true });
      let timer: NodeJS.Timeout | undefined;
      try {
        // A fresh pool's thread starts up before the clock runs: the timeout is the batch's alone.
        if (pool !== this.pool) await pool.run(emptyTask(), { signal: attemptAbort.signal });
        const task = batchTask(X, d, ids);
        timer = setTimeout(() => attemptAbort.abort(), timeoutMs);
        // Transferred, not copied: the task's buffers are built fresh for each attempt.
        const F = (await pool.run(task, { transferList: [task.X.buffer as ArrayBuffer, task.ids.buffer as ArrayBuffer], signal: attemptAbort.signal })) as Float64Array;
        if (F.length !== ids.length * METRIC_COUNT) throw new Error(`worker returned ${F.length} metric values for ${ids.length} candidates`);
        return F;
      } catch (err) {
        if (signal.aborted) return 'aborted';
        error = attemptAbort.signal.aborted
          ? `batch timed out after ${(timeoutMs / 1000).toFixed(1)} s (pool.batch_timeout_min_s, pool.batch_timeout_multiple); its worker was replaced`
          : err instanceof Error
            ? err.message
            : String(err);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onRunAbort);
        if (pool !== this.pool) await pool.destroy();
      }
    }
    return { error };
  }
}

/**
 * Evaluate candidates `ids` of X from start to finish: build the evaluator here first (so a family
 * that cannot run on this data fails before any thread starts), choose the batch size, start the
 * pool, run, close. Nothing is evaluated when `ids` is empty.
 */
export async function evaluateCandidates(
  layout: ParamLayout,
  ctx: SimulationContext,
  X: Float64Array,
  ids: Int32Array,
  settings: PoolSettings,
  sink: BatchSink,
  hooks: RunHooks = {},
): Promise<EvaluationReport> {
  const d = layout.params.length;
  const evaluator = createEvaluator(layout, ctx);
  if (ids.length === 0) {
    return { status: 'completed', evaluated: 0, failed: 0, firstError: null, retried: 0, batchSize: 0, batches: 0, workers: 0, candidateMs: NaN, taskOverheadMs: NaN, startupMs: 0 };
  }
  const workers = Math.min(settings.workers, ids.length);
  const pool = await EvaluationPool.start(layout, ctx, workers, settings.workerFile);
  try {
    const batchSize = await pool.batchSize(() => evaluator, X, d, ids, settings);
    const outcome = await pool.run(X, d, ids, batchSize, settings, sink, hooks);
    return { ...outcome, workers, ...pool.costs, startupMs: pool.startupMs };
  } finally {
    await pool.close();
  }
}

function newPiscina(file: string, init: WorkerInit, threads: number): Piscina {
  const pool = new Piscina({
    filename: file,
    workerData: init,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Infinity,
    concurrentTasksPerWorker: TASKS_PER_WORKER,
  });
  // A worker that fails while it holds no task: piscina replaces it and no result is lost, but an
  // 'error' event without a listener would end the process.
  pool.on('error', () => {});
  return pool;
}

function batchTask(X: Float64Array, d: number, ids: Int32Array): BatchTask {
  const rows = new Float64Array(ids.length * d);
  for (let r = 0; r < ids.length; r++) rows.set(X.subarray(ids[r] * d, (ids[r] + 1) * d), r * d);
  return { X: rows, ids: ids.slice() };
}

function emptyTask(): BatchTask {
  return { X: new Float64Array(0), ids: new Int32Array(0) };
}
