/**
 * One family's evaluation behind the search (`EvaluateFn`): unit-cube points are decoded into
 * parameter rows, run on the family's worker pool, stored as they finish, and scored as minimised
 * objectives plus a constraint violation (pair constraints of the space + guardrail shortfalls).
 * Candidate ids are global across families and follow evaluation order, so candidate id = row of
 * the search result. A configuration proposed again takes its earlier row (`EvaluationMemo`), and
 * a resumed run finds earlier results by id; neither is simulated again, and with the same seed,
 * config and data the search retraces the same path. A generation is stored while the next one is
 * simulated (`FamilyEvaluation.flush`).
 */
import { METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/portfolio/metrics.js';
import { EvaluationMemo } from '../cache/evaluation-memo.js';
import type { OptimizerSettings } from '../config/optimizer-settings.js';
import type { BatchSink, EvaluationPool, PoolSettings } from '../pool/coordinator.js';
import type { RunStore } from '../store/run-store.js';
import type { SimulationContext } from '../simulation/context.js';
import { createEvaluator } from '../simulation/evaluator.js';
import { decodeRow, type ParamLayout } from '../config/param-layout.js';
import { InterruptedError, UsageError } from '../errors.js';
import type { WriteQueue } from './run-lifecycle.js';
import { constraintViolation, decodePoints } from '../search/encoding.js';
import { guardrailViolation, type GuardrailCheck } from '../search/guardrails.js';
import { objectiveColumns, objectiveMatrix } from '../search/objectives.js';
import type { Evaluation } from '../search/optimize.js';

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
  /** Rows already stored for this run (a resume), by candidate id. */
  readonly done: ReadonlyMap<number, StoredCandidate>;
  /** Store writes waiting for the next flush, shared by every family of the job. */
  readonly writes: WriteQueue;
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

/** A candidate stored by an earlier session of the run: its metrics and the parameters they belong to. */
export interface StoredCandidate {
  readonly metrics: Float64Array;
  readonly paramsJson: string;
}

/** Counts candidates finished in this process, across families, and how many of them were simulated. */
export interface ProgressCounter {
  finished: number;
  simulated: number;
}

/**
 * One family's evaluation. Results are stored in transactions, but a generation's rows are written
 * while the workers simulate the next one (the search must wait for its results; the store need
 * not), so the main thread's SQLite work overlaps the simulation. `flush()` writes whatever is
 * still queued: the job calls it when the search ends, is interrupted or fails.
 */
export class FamilyEvaluation {
  private readonly d: number;
  private readonly m: number;
  private readonly objectives: ReturnType<typeof objectiveColumns>;
  private readonly memo = new EvaluationMemo();

  constructor(
    private readonly inp: FamilyEvaluationInputs,
    private readonly counter: ProgressCounter,
  ) {
    this.d = inp.layout.params.length;
    this.objectives = objectiveColumns(inp.settings.objectives, METRIC_NAMES);
    this.m = inp.settings.objectives.length;
  }

  /** Evaluate n unit-cube points: objectives and violations, rows in order. */
  async evaluate(U: Float64Array, n: number): Promise<Evaluation> {
    const { layout, pool, poolSettings, store, runId, log, done, writes } = this.inp;
    const { d, memo, counter } = this;
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
      const stored = done.get(base + r);
      if (stored !== undefined) {
        this.checkReplay(stored, X, r, base + r);
        M.set(stored.metrics, r * METRIC_COUNT);
        memo.set(key, base + r);
        continue;
      }
      const earlier = memo.get(key);
      const first = firstOf.get(key);
      if (earlier !== undefined) {
        M.set(log.row(earlier), r * METRIC_COUNT);
        repeats.push(r);
      } else if (first !== undefined) sameAs.push([r, first]);
      else {
        firstOf.set(key, r);
        todo.push(r);
      }
    }
    if (repeats.length > 0) {
      writes.push(() => store.writeEvaluated(runId, layout, X, Int32Array.from(repeats), gatherRows(M, repeats), base));
      this.progress(repeats.length);
    }
    if (todo.length > 0) {
      const ids = Int32Array.from(todo);
      // Cancels this generation if storing the previous one fails; the run's own signal still interrupts.
      const local = new AbortController();
      const signal = this.inp.signal !== undefined ? AbortSignal.any([this.inp.signal, local.signal]) : local.signal;
      const batchSize = await pool.batchSize(() => createEvaluator(layout, this.inp.ctx), X, d, ids, poolSettings);
      const running = pool.run(X, d, ids, batchSize, poolSettings, this.sink(X, M, base), {
        signal,
        onProgress: (doneNow) => this.inp.onProgress?.(counter.finished + doneNow),
      });
      // The workers are busy with this generation: store the previous one now.
      try {
        writes.flush();
      } catch (err) {
        local.abort();
        await running.catch(() => undefined);
        throw err;
      }
      const outcome = await running;
      counter.finished += outcome.evaluated + outcome.failed;
      counter.simulated += outcome.evaluated;
      if (outcome.status === 'interrupted') throw new InterruptedError('interrupted');
      if (outcome.status === 'failed') throw new Error(`a batch failed ${poolSettings.maxRetries + 1} times and pool.on_batch_failure is stop`);
    }
    if (sameAs.length > 0) {
      for (const [r, first] of sameAs) M.copyWithin(r * METRIC_COUNT, first * METRIC_COUNT, (first + 1) * METRIC_COUNT);
      const ok = sameAs.filter(([r]) => !Number.isNaN(M[r * METRIC_COUNT])).map(([r]) => r);
      const failed = sameAs.filter(([r]) => Number.isNaN(M[r * METRIC_COUNT])).map(([r]) => r);
      writes.push(() => {
        if (ok.length > 0) store.writeEvaluated(runId, layout, X, Int32Array.from(ok), gatherRows(M, ok), base);
        if (failed.length > 0) store.writeFailed(runId, layout, X, Int32Array.from(failed), 'the same configuration failed earlier in this batch', base);
      });
      this.progress(sameAs.length);
    }
    return this.score(X, M, n);
  }

  /** Where the pool's finished batches go: metric rows into the log and memo now, the store later. */
  private sink(X: Float64Array, M: Float64Array, base: number): BatchSink {
    const { layout, store, runId, writes } = this.inp;
    const { d, memo } = this;
    return {
      ok: (batchIds, F) => {
        batchIds.forEach((r, i) => {
          M.set(F.subarray(i * METRIC_COUNT, (i + 1) * METRIC_COUNT), r * METRIC_COUNT);
          memo.set(memo.key(X, r * d, d), base + r);
        });
        writes.push(() => store.writeEvaluated(runId, layout, X, batchIds, F, base));
      },
      failed: (batchIds, error) => {
        writes.push(() => store.writeFailed(runId, layout, X, batchIds, error, base));
      },
    };
  }

  /** A resumed run must propose, candidate by candidate, what the stored rows were evaluated for. */
  private checkReplay(stored: StoredCandidate, X: Float64Array, r: number, id: number): void {
    const now = JSON.stringify(decodeRow(this.inp.layout, X, r * this.d));
    if (now !== stored.paramsJson) {
      throw new UsageError(
        `--resume ${this.inp.runId}: candidate ${id} was stored for ${stored.paramsJson} but the search now proposes ${now}; ` +
          'the run cannot be replayed with this code or config: start a new run',
      );
    }
  }

  private progress(count: number): void {
    this.counter.finished += count;
    this.inp.onProgress?.(this.counter.finished);
  }

  /** Minimised objectives and violations; a failed candidate (NaN metrics) counts as the worst. */
  private score(X: Float64Array, M: Float64Array, n: number): Evaluation {
    const { layout, checks } = this.inp;
    const F = new Float64Array(n * this.m);
    objectiveMatrix(M, METRIC_COUNT, n, this.objectives, F);
    const violation = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      violation[r] = Number.isNaN(M[r * METRIC_COUNT]) ? NaN : constraintViolation(layout, X, r * this.d) + guardrailViolation(checks, M, r * METRIC_COUNT);
    }
    return { F, violation };
  }
}
