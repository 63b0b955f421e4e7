/**
 * One family's evaluation behind the search (`EvaluateFn`): unit-cube points are decoded into
 * parameter rows, run on the family's worker pool, stored as they finish, and scored as minimised
 * objectives plus a constraint violation (pair constraints of the space + guardrail shortfalls).
 * Candidate ids are global across families and follow evaluation order, so candidate id = row of
 * the search result. A resumed run finds earlier results by id and does not evaluate them again:
 * with the same seed, config and data the search then retraces the same path.
 */
import { METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/metrics.js';
import type { OptimizerSettings } from '../config/optimizer-settings.js';
import { chooseBatchSize, measureCandidateMs } from '../pool/batch-size.js';
import type { EvaluationPool, PoolSettings } from '../pool/coordinator.js';
import type { RunStore } from '../pool/run-store.js';
import type { SimulationContext } from '../simulation/context.js';
import { createEvaluator } from '../simulation/evaluator.js';
import type { ParamLayout } from '../simulation/param-layout.js';
import { constraintViolation, decodePoints } from './encoding.js';
import { guardrailViolation, type GuardrailCheck } from './guardrails.js';
import { objectiveColumns, objectiveMatrix } from './objectives.js';
import type { Evaluation } from './optimize.js';

/** Metric rows by global candidate id, growing as candidates are evaluated. */
export class MetricLog {
  private rows = new Float64Array(0);
  n = 0;

  /** Row of candidate `id` (a view; NaN-filled when it failed). */
  row(id: number): Float64Array {
    return this.rows.subarray(id * METRIC_COUNT, (id + 1) * METRIC_COUNT);
  }

  /** Append `count` NaN rows and return the id of the first. */
  reserve(count: number): number {
    const need = (this.n + count) * METRIC_COUNT;
    if (need > this.rows.length) {
      const grown = new Float64Array(Math.max(need, this.rows.length * 2));
      grown.set(this.rows.subarray(0, this.n * METRIC_COUNT));
      this.rows = grown;
    }
    this.rows.fill(NaN, this.n * METRIC_COUNT, need);
    const first = this.n;
    this.n += count;
    return first;
  }

  /** All rows so far (a view). */
  all(): Float64Array {
    return this.rows.subarray(0, this.n * METRIC_COUNT);
  }
}

export interface FamilyEvaluationInputs {
  readonly layout: ParamLayout;
  readonly ctx: SimulationContext;
  readonly pool: EvaluationPool;
  readonly poolSettings: PoolSettings;
  readonly checks: readonly GuardrailCheck[];
  readonly settings: OptimizerSettings;
  readonly store: RunStore;
  readonly runId: string;
  readonly log: MetricLog;
  /** Metric rows already stored for this run (a resume), by candidate id. */
  readonly done: ReadonlyMap<number, Float64Array>;
  readonly signal?: AbortSignal;
  /** Called with the number of candidates finished in this process so far. */
  readonly onProgress?: (finished: number) => void;
}

/** Thrown when the pool stopped because the run was interrupted. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

/** Counts candidates finished in this process, across families. */
export interface ProgressCounter {
  finished: number;
}

/**
 * Build the `EvaluateFn` body for one family.
 * @returns evaluate(U, n) → objectives and violations
 */
export function familyEvaluation(inp: FamilyEvaluationInputs, counter: ProgressCounter): (U: Float64Array, n: number) => Promise<Evaluation> {
  const { layout, pool, poolSettings, store, runId, log } = inp;
  const d = layout.params.length;
  const objectives = objectiveColumns(inp.settings.objectives, METRIC_NAMES);
  const m = inp.settings.objectives.length;
  let candidateMs = NaN;
  let taskOverheadMs = NaN;

  return async (U, n) => {
    const X = new Float64Array(n * d);
    decodePoints(layout, U, n, X);
    const base = log.reserve(n);
    const M = log.all().subarray(base * METRIC_COUNT, (base + n) * METRIC_COUNT);
    const todo: number[] = [];
    for (let r = 0; r < n; r++) {
      const stored = inp.done.get(base + r);
      if (stored !== undefined) M.set(stored, r * METRIC_COUNT);
      else todo.push(r);
    }
    if (todo.length > 0) {
      const ids = Int32Array.from(todo);
      if (Number.isNaN(candidateMs) && poolSettings.batchSize === undefined) {
        candidateMs = measureCandidateMs(createEvaluator(layout, inp.ctx), X, d, ids, poolSettings.calibrationRows, poolSettings.calibrationMs);
        taskOverheadMs = await pool.measureTaskOverheadMs(poolSettings.overheadProbes);
      }
      const batchSize =
        poolSettings.batchSize ??
        chooseBatchSize({ candidateMs, taskOverheadMs, maxOverheadFraction: poolSettings.maxOverheadFraction, pending: ids.length, workers: pool.workers });
      const outcome = await pool.run(
        X,
        d,
        ids,
        batchSize,
        poolSettings,
        {
          ok(batchIds, F) {
            batchIds.forEach((r, i) => M.set(F.subarray(i * METRIC_COUNT, (i + 1) * METRIC_COUNT), r * METRIC_COUNT));
            store.writeEvaluated(runId, layout, X, batchIds, F, base);
          },
          failed(batchIds, error) {
            store.writeFailed(runId, layout, X, batchIds, error, base);
          },
        },
        {
          ...(inp.signal !== undefined ? { signal: inp.signal } : {}),
          onProgress: (doneNow) => inp.onProgress?.(counter.finished + doneNow),
        },
      );
      counter.finished += outcome.evaluated + outcome.failed;
      if (outcome.status === 'interrupted') throw new InterruptedError('interrupted');
      if (outcome.status === 'failed') throw new Error(`a batch failed ${poolSettings.maxRetries + 1} times and pool.on_batch_failure is stop`);
    }
    const F = new Float64Array(n * m);
    objectiveMatrix(M, METRIC_COUNT, n, objectives, F);
    const violation = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      // A failed candidate (NaN metrics) counts as the worst violation.
      violation[r] = Number.isNaN(M[r * METRIC_COUNT]!) ? NaN : constraintViolation(layout, X, r * d) + guardrailViolation(inp.checks, M, r * METRIC_COUNT);
    }
    return { F, violation };
  };
}
