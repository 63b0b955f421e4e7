/**
 * One family's evaluation behind the search (`EvaluateFn`): unit-cube points are decoded into
 * parameter rows, run on the family's worker pool, stored as they finish, and scored as minimised
 * objectives plus a constraint violation (guardrail shortfalls; the search proposes only points
 * inside the space's pair constraints).
 * Candidate ids are global across families and follow evaluation order, so candidate id = row of
 * the search result. A configuration proposed again takes its earlier metric row (`EvaluationMemo`),
 * and a resumed run finds earlier results by id (`StoredRows`); neither is simulated again, and with
 * the same seed, config and data the search retraces the same path.
 *
 * Nothing here grows with the budget: a generation's rows live until they are stored (the write
 * queue flushes by size and time, `WriteQueue`), and the memo has a byte cap (`runtime.memo_max_bytes`).
 */
import { METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/portfolio/metrics.js';
import { EvaluationMemo } from '../cache/evaluation-memo.js';
import type { OptimizerSettings } from '../config/optimizer-settings.js';
import { BatchFailedError, type BatchSink, type PoolSettings } from '../pool/coordinator.js';
import type { BatchRunner } from '../pool/batch-runner.js';
import type { RunStore } from '../store/run-store.js';
import { Stored } from '../store/candidate-tables.js';
import type { SimulationContext } from '../simulation/context.js';
import { createEvaluator } from '../simulation/evaluator.js';
import { decodeRow, type ParamLayout } from '../config/param-layout.js';
import { InterruptedError, UsageError } from '../errors.js';
import type { WriteQueue } from './run-lifecycle.js';
import { decodePoints } from '../search/encoding.js';
import { guardrailTally, guardrailViolation, type GuardrailCheck, type GuardrailTally } from '../search/guardrails.js';
import { objectiveColumns, objectiveMatrix } from '../search/objectives.js';
import { dimensionStrata } from '../search/operators/categorical.js';
import type { Evaluation } from '../search/optimize.js';

export interface FamilyEvaluationInputs {
  readonly layout: ParamLayout;
  readonly ctx: SimulationContext;
  /** The family's local pool or the queue. */
  readonly pool: BatchRunner;
  readonly poolSettings: PoolSettings;
  readonly checks: readonly GuardrailCheck[];
  readonly settings: OptimizerSettings;
  readonly store: RunStore;
  readonly runId: string;
  /** Rows already stored for this run (a resume), by candidate id. */
  readonly done: StoredRows;
  /** Store writes waiting for the next flush, shared by every family of the job. */
  readonly writes: WriteQueue;
  /** Bytes the family's memo of repeated configurations may take (`runtime.memo_max_bytes`). */
  readonly memoBytes: number;
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

/** Shared by every family of a job: candidate ids handed out, and candidates finished (and simulated) in this process. */
export interface CandidateCounter {
  /** The next candidate id (ids are global across families). */
  next: number;
  finished: number;
  simulated: number;
  /** Candidates stored as failed (their batch failed on every attempt), and the first one's error. */
  failed: number;
  firstError: string | null;
}

/**
 * What the guardrails made of a family's candidates on the search window: every candidate the
 * search was told about counts once, resumed and repeated ones included, so a resumed run counts as
 * the uninterrupted one. A candidate stored as failed (its batch failed) has no metrics and is not
 * counted.
 */
export interface GuardrailCounts {
  /** Candidates with metrics. */
  checked: number;
  feasible: number;
  /** Per check (the order of `checks`): candidates that failed it, and the smallest gap among them. */
  readonly tally: GuardrailTally;
}

/**
 * Rows of the memo for one family: every configuration of a finite (all-discrete) space, at most
 * what `bytes` holds. A fully discrete space smaller than that is remembered whole, so once it
 * is exhausted no candidate is simulated again.
 */
export function memoEntries(layout: ParamLayout, bytes: number): number {
  const d = layout.params.length;
  const strata = dimensionStrata(layout);
  const configurations = strata.reduce((p, s) => p * (s === 0 ? Infinity : s), 1);
  return Math.max(1, Math.min(configurations, Math.floor(bytes / EvaluationMemo.bytesPerEntry(d, METRIC_COUNT))));
}

/**
 * One family's evaluation. Results are stored in transactions, but a generation's rows are written
 * while the workers simulate the next one (the search must wait for its results; the store need
 * not), so the main thread's SQLite work overlaps the simulation; the queue also flushes as soon as
 * `runtime.flush_rows` rows wait or `runtime.flush_interval_s` has passed, simulating or not.
 */
export class FamilyEvaluation {
  private readonly d: number;
  private readonly m: number;
  private readonly objectives: ReturnType<typeof objectiveColumns>;
  private readonly memo: EvaluationMemo;
  readonly guardrails: GuardrailCounts;
  // Scratch reused by every batch (no closure keeps them): metric rows, and repeats inside a batch.
  private metrics = new Float64Array(0);
  private firstOf: EvaluationMemo;

  constructor(
    private readonly inp: FamilyEvaluationInputs,
    private readonly counter: CandidateCounter,
  ) {
    this.d = inp.layout.params.length;
    this.objectives = objectiveColumns(inp.settings.objectives, METRIC_NAMES);
    this.m = inp.settings.objectives.length;
    this.memo = new EvaluationMemo(this.d, METRIC_COUNT, memoEntries(inp.layout, inp.memoBytes));
    this.firstOf = new EvaluationMemo(this.d, 1, 1);
    this.guardrails = { checked: 0, feasible: 0, tally: guardrailTally(inp.checks) };
  }

  /** Evaluate n unit-cube points: objectives and violations, rows in order. */
  async evaluate(U: Float64Array, n: number): Promise<Evaluation> {
    const { layout, pool, poolSettings, store, runId, done, writes } = this.inp;
    const { d, memo, counter } = this;
    const X = new Float64Array(n * d);
    decodePoints(layout, U, n, X);
    const base = counter.next;
    counter.next += n;
    // NaN until known: a row that fails stays NaN (the worst score).
    if (this.metrics.length < n * METRIC_COUNT) this.metrics = new Float64Array(n * METRIC_COUNT);
    const M = this.metrics.subarray(0, n * METRIC_COUNT).fill(NaN);
    // Rows known already: stored by an interrupted run of this job, or evaluated earlier in it.
    const todo: number[] = [];
    const repeats: number[] = [];
    // Repeats inside this batch: row -> the first row with the same configuration.
    if (this.firstOf.maxEntries < n) this.firstOf = new EvaluationMemo(d, 1, n);
    const { firstOf } = this;
    firstOf.clear();
    const rowNumber = new Float64Array(1);
    const sameAs: [number, number][] = [];
    for (let r = 0; r < n; r++) {
      if (done.has(base + r)) {
        this.checkReplay(X, r, base + r);
        done.copyMetrics(base + r, M, r * METRIC_COUNT);
        memo.insert(X, r * d, M, r * METRIC_COUNT);
        continue;
      }
      const earlier = memo.find(X, r * d);
      if (earlier >= 0) {
        memo.copyValue(earlier, M, r * METRIC_COUNT);
        repeats.push(r);
        continue;
      }
      const first = firstOf.find(X, r * d);
      if (first >= 0) sameAs.push([r, firstOf.valueAt(first, 0)]);
      else {
        rowNumber[0] = r;
        firstOf.insert(X, r * d, rowNumber, 0);
        todo.push(r);
      }
    }
    if (repeats.length > 0) {
      const ids = Int32Array.from(repeats);
      const rows = gatherRows(M, repeats);
      writes.push(() => store.writeEvaluated(runId, layout, X, ids, rows, base), repeats.length);
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
      counter.failed += outcome.failed;
      counter.firstError ??= outcome.firstError;
      if (outcome.status === 'interrupted') throw new InterruptedError('interrupted');
      if (outcome.status === 'failed') throw new BatchFailedError(`a batch failed ${poolSettings.maxRetries + 1} times and pool.on_batch_failure is stop: ${outcome.firstError}`);
    }
    if (sameAs.length > 0) {
      for (const [r, first] of sameAs) M.copyWithin(r * METRIC_COUNT, first * METRIC_COUNT, (first + 1) * METRIC_COUNT);
      const ok = sameAs.filter(([r]) => !Number.isNaN(M[r * METRIC_COUNT])).map(([r]) => r);
      const failed = sameAs.filter(([r]) => Number.isNaN(M[r * METRIC_COUNT])).map(([r]) => r);
      counter.failed += failed.length;
      const rows = gatherRows(M, ok);
      writes.push(() => {
        if (ok.length > 0) store.writeEvaluated(runId, layout, X, Int32Array.from(ok), rows, base);
        if (failed.length > 0) store.writeFailed(runId, layout, X, Int32Array.from(failed), 'the same configuration failed earlier in this batch', base);
      }, sameAs.length);
      this.progress(sameAs.length);
    }
    return this.score(M, n);
  }

  /** Where the pool's finished batches go: metric rows into the batch and the memo now, the store at the next flush. */
  private sink(X: Float64Array, M: Float64Array, base: number): BatchSink {
    const { layout, store, runId, writes } = this.inp;
    const { d, memo } = this;
    return {
      ok: (batchIds, F) => {
        batchIds.forEach((r, i) => {
          M.set(F.subarray(i * METRIC_COUNT, (i + 1) * METRIC_COUNT), r * METRIC_COUNT);
          memo.insert(X, r * d, F, i * METRIC_COUNT);
        });
        writes.push(() => store.writeEvaluated(runId, layout, X, batchIds, F, base), batchIds.length);
      },
      failed: (batchIds, error) => {
        writes.push(() => store.writeFailed(runId, layout, X, batchIds, error, base), batchIds.length);
      },
    };
  }

  /** A resumed run must propose, candidate by candidate, what the stored rows were evaluated for. */
  private checkReplay(X: Float64Array, r: number, id: number): void {
    const { layout, store, runId } = this.inp;
    if (!this.inp.done.sameParams(id, layout.family, X, r * this.d, this.d)) {
      // Read back only on this error path: the stored parameters are not kept in memory.
      const stored = store.candidate(runId, id);
      throw new UsageError(
        `--resume ${runId}: candidate ${id} was stored for ${stored?.family ?? ''} ${stored?.paramsJson ?? ''} but the search now proposes ${layout.family} ${JSON.stringify(decodeRow(layout, X, r * this.d))}; ` +
          'the run cannot be replayed with this code or config: start a new run',
      );
    }
  }

  private progress(count: number): void {
    this.counter.finished += count;
    this.inp.onProgress?.(this.counter.finished);
  }

  /** Minimised objectives and violations, counted in `guardrails`; a failed candidate (NaN metrics) counts as the worst. */
  private score(M: Float64Array, n: number): Evaluation {
    const { checks } = this.inp;
    const counts = this.guardrails;
    const F = new Float64Array(n * this.m);
    objectiveMatrix(M, METRIC_COUNT, n, this.objectives, F);
    const violation = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      if (Number.isNaN(M[r * METRIC_COUNT])) {
        violation[r] = NaN;
        continue;
      }
      violation[r] = guardrailViolation(checks, M, r * METRIC_COUNT, counts.tally);
      counts.checked++;
      if (violation[r] === 0) counts.feasible++;
    }
    return { F, violation };
  }
}

/**
 * The candidates an earlier session of a resumed run stored as evaluated, by id, in typed arrays:
 * each one's metric row and a 53-bit hash of its family and stored parameter row, which a replay
 * must match. About 8 * (METRIC_COUNT + 1) + 1 bytes per stored candidate.
 */
export class StoredRows {
  private constructor(
    private readonly present: Uint8Array,
    private readonly metrics: Float64Array,
    private readonly paramsHash: Float64Array,
    /** Candidates held. */
    readonly size: number,
  ) {}

  /** None: a new run. */
  static none(): StoredRows {
    return new StoredRows(new Uint8Array(0), new Float64Array(0), new Float64Array(0), 0);
  }

  /** The `ok` rows of a run, read from the store's typed chunks. */
  static read(store: RunStore, runId: string): StoredRows {
    let capacity = 1024;
    let present = new Uint8Array(capacity);
    let metrics = new Float64Array(capacity * METRIC_COUNT);
    let paramsHash = new Float64Array(capacity);
    let size = 0;
    const families = store.families(runId);
    for (const c of store.chunks(runId, families)) {
      for (let k = 0; k < c.count; k++) {
        if (c.stored[k] !== Stored.ok) continue;
        const id = c.first + k;
        if (id >= capacity) {
          capacity = Math.max(2 * capacity, id + 1);
          present = grown(present, capacity);
          metrics = grown(metrics, capacity * METRIC_COUNT);
          paramsHash = grown(paramsHash, capacity);
        }
        const f = families[c.family[k]];
        present[id] = 1;
        metrics.set(c.metrics.subarray(k * METRIC_COUNT, (k + 1) * METRIC_COUNT), id * METRIC_COUNT);
        paramsHash[id] = rowHash(f.name, c.params, k * c.width, f.columns.length);
        size++;
      }
    }
    return new StoredRows(present, metrics, paramsHash, size);
  }

  has(id: number): boolean {
    return id < this.present.length && this.present[id] === 1;
  }

  /** Copy candidate `id`'s metric row into `out` at `offset`. */
  copyMetrics(id: number, out: Float64Array, offset: number): void {
    out.set(this.metrics.subarray(id * METRIC_COUNT, (id + 1) * METRIC_COUNT), offset);
  }

  /** Whether candidate `id` was stored for `family` with the d parameters of `row` at `offset`. */
  sameParams(id: number, family: string, row: Float64Array, offset: number, d: number): boolean {
    return this.paramsHash[id] === rowHash(family, row, offset, d);
  }
}

function grown<T extends Uint8Array | Float64Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

const hashWord = new Float64Array(1);
const hashHalves = new Uint32Array(hashWord.buffer);

/** cyrb53 (public domain), a 53-bit hash exact in a double, of the family name and the row's bits (every NaN hashed alike). */
function rowHash(family: string, row: Float64Array, offset: number, d: number): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  const mix = (c: number): void => {
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  };
  for (let i = 0; i < family.length; i++) mix(family.charCodeAt(i));
  for (let j = 0; j < d; j++) {
    hashWord[0] = row[offset + j];
    if (Number.isNaN(hashWord[0])) hashWord[0] = NaN;
    mix(hashHalves[0]);
    mix(hashHalves[1]);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
