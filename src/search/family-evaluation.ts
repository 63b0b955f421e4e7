/**
 * One family's evaluation behind the search (`EvaluateFn`): unit-cube points are decoded into
 * parameter rows, run on the family's worker pool, stored as they finish, and scored as minimised
 * objectives plus a constraint violation (pair constraints of the space + guardrail shortfalls).
 * Candidate ids are global across families and follow evaluation order, so candidate id = row of
 * the search result. A configuration proposed again takes its earlier row (`EvaluationMemo`), and
 * a resumed run finds earlier results by id; neither is simulated again, and with the same seed,
 * config and data the search retraces the same path.
 */
import { METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/metrics.js';
import { EvaluationMemo } from '../cache/evaluation-memo.js';
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

/** The metric rows `rows` of M, packed in that order. */
function gatherRows(M: Float64Array, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * METRIC_COUNT);
  rows.forEach((r, i) => out.set(M.subarray(r * METRIC_COUNT, (r + 1) * METRIC_COUNT), i * METRIC_COUNT));
  return out;
}

/** Thrown when the pool stopped because the run was interrupted. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

/** Counts candidates finished in this process, across families, and how many of them were simulated. */
export interface ProgressCounter {
  finished: number;
  simulated: number;
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
  const memo = new EvaluationMemo();

  return async (U, n) => {
    const X = new Float64Array(n * d);
    decodePoints(layout, U, n, X);
    const base = log.reserve(n);
    const M = log.all().subarray(base * METRIC_COUNT, (base + n) * METRIC_COUNT);
    // Rows known already: stored by an interrupted run of this job, or evaluated earlier in it.
    const todo: number[] = [];
    const repeats: number[] = [];
    // Repeats inside this batch: row -> the first row with the same configuration.
    const firstOf = new Map<string, number>();
    const sameAs: [number, number][] = [];
    for (let r = 0; r < n; r++) {
      const key = memo.key(X, r * d, d);
      const known = inp.done.get(base + r) ?? memo.get(key);
      const first = firstOf.get(key);
      if (known !== undefined) {
        M.set(known, r * METRIC_COUNT);
        if (!inp.done.has(base + r)) repeats.push(r);
      } else if (first !== undefined) sameAs.push([r, first]);
      else {
        firstOf.set(key, r);
        todo.push(r);
      }
    }
    if (repeats.length > 0) {
      store.writeEvaluated(runId, layout, X, Int32Array.from(repeats), gatherRows(M, repeats), base);
      counter.finished += repeats.length;
      inp.onProgress?.(counter.finished);
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
            batchIds.forEach((r, i) => {
              M.set(F.subarray(i * METRIC_COUNT, (i + 1) * METRIC_COUNT), r * METRIC_COUNT);
              memo.set(memo.key(X, r * d, d), F, i * METRIC_COUNT);
            });
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
      counter.simulated += outcome.evaluated;
      if (outcome.status === 'interrupted') throw new InterruptedError('interrupted');
      if (outcome.status === 'failed') throw new Error(`a batch failed ${poolSettings.maxRetries + 1} times and pool.on_batch_failure is stop`);
    }
    if (sameAs.length > 0) {
      for (const [r, first] of sameAs) M.copyWithin(r * METRIC_COUNT, first * METRIC_COUNT, (first + 1) * METRIC_COUNT);
      const ok = sameAs.filter(([r]) => !Number.isNaN(M[r * METRIC_COUNT]!)).map(([r]) => r);
      const failed = sameAs.filter(([r]) => Number.isNaN(M[r * METRIC_COUNT]!)).map(([r]) => r);
      if (ok.length > 0) store.writeEvaluated(runId, layout, X, Int32Array.from(ok), gatherRows(M, ok), base);
      if (failed.length > 0) store.writeFailed(runId, layout, X, Int32Array.from(failed), 'the same configuration failed earlier in this batch', base);
      counter.finished += sameAs.length;
      inp.onProgress?.(counter.finished);
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
