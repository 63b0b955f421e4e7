/**
 * Optimization runs and their candidates in the SQLite store: one `optimization_runs` row per run
 * (running -> completed | interrupted | failed) and its candidates in columnar form
 * (`candidate-tables.ts`: one row of typed BLOBs per stored batch), written in transactions as
 * batches finish (`evaluate`: each batch; `optimize`: a generation while the next is simulated),
 * so an interrupted run keeps what finished and a resume can skip it.
 */
import { randomUUID } from 'node:crypto';
import { METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import { jsonNumbers } from '../report/json.js';
import { decodeColumns, paramColumns, type ParamLayout } from '../config/param-layout.js';
import { CandidateTables, Stored, type CandidateChunk, type StoredFamily, type StoredRankingColumns } from './candidate-tables.js';
import type { DatabaseManager } from './database.js';

export type StoredRunStatus = 'running' | 'completed' | 'interrupted' | 'failed';

/** What a run records about itself when it starts. */
export interface NewRun {
  readonly command: string;
  readonly family: string;
  readonly optimizer: string | null;
  readonly seed: string | null;
  readonly configHash: string;
  readonly dataHash: string;
  readonly codeVersion: string;
  /** Where the candidates come from (e.g. a CSV file and its hash), stored as `sampler_json`. */
  readonly sampler: unknown;
  /** The traded window and simulation settings, stored as `data_window_json`. */
  readonly dataWindow: unknown;
  /** Number of candidates. */
  readonly budget: number;
  /** Searched parameter ranges, regime definition and constraints applied (optimization runs). */
  readonly paramRanges?: unknown;
  readonly regime?: unknown;
  readonly constraints?: unknown;
}

/** The run's families, as recorded (`family` is comma-separated for a multi-family run). */
export function runFamilies(run: RunRow): string[] {
  return run.family === null || run.family === '' ? [] : run.family.split(',').map((f) => f.trim());
}

/** Parse a stored JSON column; null when absent or unreadable (a listing must not fail on one bad row). */
/** The command that made a run: `optimize`, `evaluate` (stored as `optimize`, or as the command line `pnlopt evaluate ...`). */
export function runKind(command: string): string {
  const words = command.trim().split(/\s+/);
  return (words[0] === 'pnlopt' ? words[1] : words[0]) ?? '';
}

export function storedJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** An `optimization_runs` row as stored. */
export interface RunRow {
  readonly run_id: string;
  readonly created_at: string;
  readonly finished_at: string | null;
  readonly status: StoredRunStatus;
  readonly command: string;
  readonly family: string | null;
  readonly optimizer: string | null;
  readonly seed: string | null;
  readonly config_hash: string;
  readonly data_hash: string;
  readonly code_version: string;
  readonly sampler_json: string | null;
  readonly data_window_json: string | null;
  readonly budget: number | null;
  readonly summary_json: string | null;
  /** Searched parameter ranges, regime and constraints (optimization runs; null for evaluate). */
  readonly param_ranges_json: string | null;
  readonly regime_json: string | null;
  readonly constraints_json: string | null;
  /** The settings a resume restores, and the run lock (migration 2; `src/store/run-lock.ts`). */
  readonly invocation_json: string | null;
  readonly lock_owner: string | null;
  readonly heartbeat_at: string | null;
}

/** One stored candidate result, as read back. */
export interface StoredResult {
  readonly candidateId: number;
  readonly status: 'ok' | 'failed';
  /** The parameters as stored, by name (JSON, inactive parameters left out). */
  readonly paramsJson: string;
  /** Metric row (METRIC_COUNT values) for `ok`, null for `failed`. */
  readonly metrics: Float64Array | null;
  readonly error: string | null;
}

/** A candidate's ranking and hold-out metrics as read back (so tests and reports need no SQL); null where not ranked, and a violation or crowding null where not finite. */
export interface StoredRanking {
  readonly candidateId: number;
  /** Violation 0 (stored as 1 / 0). */
  readonly feasible: boolean | null;
  readonly violation: number | null;
  readonly frontRank: number | null;
  readonly crowding: number | null;
  /** Hold-out metric row (METRIC_COUNT values); null when not evaluated on the hold-out. */
  readonly holdoutMetrics: Float64Array | null;
}

function optionalJson(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

/** Reads and writes the run tables through the one `DatabaseManager` of the process. */
export class RunStore {
  private readonly candidates: CandidateTables;

  constructor(readonly dbm: DatabaseManager) {
    this.candidates = new CandidateTables(dbm.db);
  }

  /** Record a new run as `running`. @returns its id */
  createRun(run: NewRun, runId: string = randomUUID(), now = new Date()): string {
    this.dbm.db
      .prepare(
        `INSERT INTO optimization_runs (run_id, created_at, status, command, family, optimizer, seed, config_hash, data_hash, code_version, sampler_json, data_window_json, budget,
           param_ranges_json, regime_json, constraints_json)
         VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId, now.toISOString(), run.command, run.family, run.optimizer, run.seed, run.configHash, run.dataHash, run.codeVersion,
        JSON.stringify(run.sampler), JSON.stringify(run.dataWindow), run.budget,
        optionalJson(run.paramRanges), optionalJson(run.regime), optionalJson(run.constraints),
      );
    return runId;
  }

  /** Run `fn` in one transaction (the store's writes inside it nest as savepoints). */
  transaction<T>(fn: () => T): T {
    return this.dbm.transaction(fn);
  }

  run(runId: string): RunRow | undefined {
    return this.dbm.db.prepare('SELECT * FROM optimization_runs WHERE run_id = ?').get(runId) as RunRow | undefined;
  }

  /** Ids of the runs whose id starts with `prefix` (at most `limit`), so a user may type a short id. */
  runIdsStartingWith(prefix: string, limit = 2): string[] {
    // substr, not LIKE: an id prefix may contain '_' or '%'.
    return this.dbm.db.prepare('SELECT run_id FROM optimization_runs WHERE substr(run_id, 1, ?) = ? ORDER BY run_id LIMIT ?').pluck().all(prefix.length, prefix, limit) as string[];
  }

  /** Every run, oldest first (lets tests and reports list runs without SQL). */
  runs(): RunRow[] {
    return this.dbm.db.prepare('SELECT * FROM optimization_runs ORDER BY created_at, rowid').all() as RunRow[];
  }

  finishRun(runId: string, status: Exclude<StoredRunStatus, 'running'>, summary: unknown, now = new Date()): void {
    this.dbm.db.prepare('UPDATE optimization_runs SET status = ?, finished_at = ?, summary_json = ? WHERE run_id = ?').run(status, now.toISOString(), JSON.stringify(summary, jsonNumbers), runId);
  }

  /** Which of candidates 0..n-1 are stored as ok (1) or not yet (0): failed ones are tried again on resume. */
  evaluatedMask(runId: string, n: number): Uint8Array {
    return this.candidates.okMask(runId, n);
  }

  /**
   * Store one evaluated batch in one transaction.
   * @param X parameter matrix of all candidates (row-major, one column per layout parameter)
   * @param F metric rows of this batch, in the order of `ids`
   * @param idBase added to each row index of X to make its candidate id (a search's later batches)
   */
  writeEvaluated(runId: string, layout: ParamLayout, X: Float64Array, ids: Int32Array, F: Float64Array, idBase = 0): void {
    const { candidateIds, params } = gathered(layout, X, ids, idBase);
    this.dbm.transaction(() => {
      this.candidates.family(runId, layout.family, paramColumns(layout));
      this.candidates.ok(runId, layout.family, candidateIds, params, F);
    });
  }

  /** Store a batch that failed, with the error, in one transaction. */
  writeFailed(runId: string, layout: ParamLayout, X: Float64Array, ids: Int32Array, error: string, idBase = 0): void {
    const { candidateIds, params } = gathered(layout, X, ids, idBase);
    this.dbm.transaction(() => {
      this.candidates.family(runId, layout.family, paramColumns(layout));
      this.candidates.failed(runId, layout.family, candidateIds, params, layout.params.length, error);
    });
  }

  /** Store every candidate's front rank, crowding and violation (candidate id = index), replacing any earlier ranking. */
  writeRanking(runId: string, rank: Int32Array, crowding: Float64Array, violation: Float64Array): void {
    this.dbm.transaction(() => this.candidates.writeRanking(runId, rank, crowding, violation));
  }

  /** Candidates stored for a run (ok or failed). */
  countStored(runId: string): number {
    return this.candidates.count(runId);
  }

  /** Store one candidate's metrics on the hold-out window. */
  writeHoldout(runId: string, candidateId: number, F: Float64Array): void {
    this.candidates.writeHoldout(runId, candidateId, F);
  }

  /** A run's stored families: names and how their parameter rows decode. */
  families(runId: string): StoredFamily[] {
    return this.candidates.families(runId);
  }

  /**
   * Every stored candidate of a run in typed chunks, in id order: the bulk read (export, the
   * evaluate CSV, a resume), in bounded memory whatever the run's size.
   */
  chunks(runId: string, families: readonly StoredFamily[] = this.families(runId)): Generator<CandidateChunk> {
    return this.candidates.chunks(runId, families);
  }

  /** The run's stored ranking columns, or null when it has not been ranked. */
  rankingColumns(runId: string): StoredRankingColumns | null {
    return this.candidates.ranking(runId);
  }

  /** Every stored candidate of a run as an object, in candidate order (for small reads: tests, one candidate's report). */
  *results(runId: string): Generator<StoredResult> {
    const families = this.families(runId);
    for (const c of this.chunks(runId, families)) {
      for (let k = 0; k < c.count; k++) if (c.stored[k] !== Stored.none) yield resultOf(c, k, families);
    }
  }

  /** Every stored candidate's ranking and hold-out metrics, in candidate order (the read side of `writeRanking` / `writeHoldout`). */
  *rankings(runId: string): Generator<StoredRanking> {
    const ranking = this.rankingColumns(runId);
    const holdout = this.candidates.holdout(runId);
    for (const c of this.chunks(runId)) {
      for (let k = 0; k < c.count; k++) if (c.stored[k] !== Stored.none) yield rankingOf(c.first + k, ranking, holdout);
    }
  }

  /** One stored candidate with its family, ranking and hold-out metrics, or undefined when the run has no such candidate. */
  candidate(runId: string, candidateId: number): (StoredResult & StoredRanking & { readonly family: string | null }) | undefined {
    const families = this.families(runId);
    for (const c of this.candidates.chunks(runId, families, candidateId, candidateId + 1)) {
      if (c.stored[0] === Stored.none) return undefined;
      const f = c.family[0];
      return { ...resultOf(c, 0, families), ...rankingOf(candidateId, this.rankingColumns(runId), this.candidates.holdout(runId)), family: f < 0 ? null : families[f].name };
    }
    return undefined;
  }

  /**
   * Run the reads in `fn` on one snapshot of the database (a deferred transaction: in WAL mode it
   * blocks no writer), so reads that span several queries agree while another process writes.
   */
  snapshot<T>(fn: () => T): T {
    return this.dbm.db.transaction(fn).deferred();
  }

  /** Candidates stored per run id (runs with none are absent): the `evaluated` column of `pnlopt runs`. */
  storedCounts(): Map<string, number> {
    return this.candidates.counts();
  }
}

/** The candidate ids (idBase + row) and parameter rows of the rows `ids` of X. */
function gathered(layout: ParamLayout, X: Float64Array, ids: Int32Array, idBase: number): { candidateIds: Int32Array; params: Float64Array } {
  const d = layout.params.length;
  const candidateIds = new Int32Array(ids.length);
  const params = new Float64Array(ids.length * d);
  ids.forEach((id, r) => {
    candidateIds[r] = idBase + id;
    params.set(X.subarray(id * d, (id + 1) * d), r * d);
  });
  return { candidateIds, params };
}

function resultOf(c: CandidateChunk, k: number, families: readonly StoredFamily[]): StoredResult {
  const f = c.family[k];
  const ok = c.stored[k] === Stored.ok;
  const id = c.first + k;
  return {
    candidateId: id,
    status: ok ? 'ok' : 'failed',
    paramsJson: JSON.stringify(f < 0 ? {} : decodeColumns(families[f].columns, c.params, k * c.width)),
    metrics: ok ? c.metrics.slice(k * METRIC_COUNT, (k + 1) * METRIC_COUNT) : null,
    error: ok ? null : (c.errors.get(id) ?? null),
  };
}

function rankingOf(id: number, ranking: StoredRankingColumns | null, holdout: ReadonlyMap<number, Float64Array>): StoredRanking {
  const holdoutMetrics = holdout.get(id) ?? null;
  if (ranking === null || id >= ranking.frontRank.length || ranking.frontRank[id] < 0) {
    return { candidateId: id, feasible: null, violation: null, frontRank: null, crowding: null, holdoutMetrics };
  }
  const v = ranking.violation[id];
  const c = ranking.crowding[id];
  return { candidateId: id, feasible: v === 0, violation: Number.isFinite(v) ? v : null, frontRank: ranking.frontRank[id], crowding: Number.isFinite(c) ? c : null, holdoutMetrics };
}
