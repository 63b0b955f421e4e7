/**
 * Optimization runs and their candidates in the SQLite store: one `optimization_runs` row per run
 * (running -> completed | interrupted | failed) and one `optimization_candidates` row per candidate
 * (ok with its metrics, or failed with the error), written in transactions as batches finish
 * (`evaluate`: each batch; `optimize`: a generation while the next is simulated), so an
 * interrupted run keeps what finished and a resume can skip it.
 *
 * `metrics_json` is an object by METRIC_NAMES in the JSON output convention (`jsonNumbers`,
 * docs/metrics.md "JSON output"): finite numbers as numbers, infinities as "inf" / "-inf", NaN as
 * null, so a row round-trips exactly. Rows written before that convention have null for every
 * non-finite value; reading keeps their meaning (see `NULL_MEANS`).
 */
import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { METRIC_COUNT, METRIC_NAMES, type MetricName } from '../../native-free-kernels/portfolio/metrics.js';
import { jsonNumbers, numberFromJson } from '../report/json.js';
import { decodeRow, type ParamLayout } from '../config/param-layout.js';
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
export function storedJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A configuration adopted for a family and regime (`strategy_configs`). */
export interface Adoption {
  readonly family: string;
  /** Identifies the family's search space, so a changed space does not overwrite its old optimum. */
  readonly familyVersion: string;
  readonly regime: string;
  readonly runId: string;
  readonly dataHash: string;
  readonly params: Record<string, number | string>;
  readonly metrics: Record<string, number>;
  readonly holdoutMetrics: Record<string, number>;
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
  /** The parameters as stored (JSON by name). */
  readonly paramsJson: string;
  /** Metric row (METRIC_COUNT values) for `ok`, null for `failed`. */
  readonly metrics: Float64Array | null;
  readonly error: string | null;
}

/** A candidate's ranking and hold-out metrics as read back (so tests and reports need no SQL); null where NULL is stored: not ranked, or not finite (see `writeRanking`). */
export interface StoredRanking {
  readonly candidateId: number;
  /** Violation 0 (stored as 1 / 0). */
  readonly feasible: boolean | null;
  readonly violation: number | null;
  readonly frontRank: number | null;
  readonly crowding: number | null;
  /** Hold-out metric row (METRIC_COUNT values, read by the rules of `results`); null when not evaluated on the hold-out. */
  readonly holdoutMetrics: Float64Array | null;
}

/** A stored candidate with its ranking (the rows of `pnlopt export`); ranking fields as in `StoredRanking`. */
export interface RankedResult extends StoredResult {
  /** The candidate's family; null for rows stored before migration 3. */
  readonly family: string | null;
  readonly feasible: boolean | null;
  readonly violation: number | null;
  readonly frontRank: number | null;
  /** NULL is stored both when the row is not ranked and for the boundary crowding +Infinity of a ranked row. */
  readonly crowding: number | null;
}

/** A `strategy_configs` row as stored (the read side of `adopt`). */
export interface StrategyConfigRow {
  readonly id: number;
  readonly family: string;
  readonly family_version: string;
  readonly regime: string;
  readonly params_json: string;
  readonly metrics_json: string;
  readonly holdout_metrics_json: string | null;
  readonly run_id: string;
  readonly data_hash: string;
  readonly created_at: string;
  readonly status: string;
}

function optionalJson(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

/**
 * The in-memory value a JSON null stands for, per metric; NaN for the others. Only for rows written
 * before the "inf" / "-inf" convention, which wrote every non-finite value as null: there
 * `profit_factor` was null only when no trade lost, i.e. +Infinity (docs/reference-semantics.md).
 * New rows write +Infinity as "inf"; the kernels never produce a NaN profit_factor (it is
 * Infinity or wins / losses with losses > 0), so reading null as +Infinity loses nothing.
 */
const NULL_MEANS: Readonly<Partial<Record<MetricName, number>>> = { profit_factor: Infinity };

/** Metric row at `offset` of F as a JSON object by metric name: infinities as "inf" / "-inf", NaN as null (`jsonNumbers`). */
export function metricsJson(F: Float64Array, offset: number): string {
  let s = '{';
  for (let j = 0; j < METRIC_COUNT; j++) {
    const v = F[offset + j];
    // A finite number's String() form is its JSON form, and round-trips exactly.
    s += `${j === 0 ? '' : ','}"${METRIC_NAMES[j]}":${Number.isFinite(v) ? String(v) : JSON.stringify(jsonNumbers('', v))}`;
  }
  return s + '}';
}

/** Parse `metricsJson` output (or a row written before the "inf" convention, see `NULL_MEANS`) back into `out` at `offset`. */
export function metricsFromJson(text: string, out: Float64Array, offset: number): void {
  const o = JSON.parse(text) as Record<string, number | string | null>;
  METRIC_NAMES.forEach((name, j) => {
    const v = o[name];
    out[offset + j] = v === null || v === undefined ? (NULL_MEANS[name] ?? NaN) : numberFromJson(v);
  });
}

/** Reads and writes the run tables through the one `DatabaseManager` of the process. */
export class RunStore {
  private readonly insertCandidate: Statement<[string, number, string, string, string, string | null, string | null]>;

  constructor(private readonly dbm: DatabaseManager) {
    this.insertCandidate = dbm.db.prepare(
      'INSERT OR REPLACE INTO optimization_candidates (run_id, candidate_id, family, status, params_json, metrics_json, error) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
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
    const done = new Uint8Array(n);
    const rows = this.dbm.db.prepare(`SELECT candidate_id FROM optimization_candidates WHERE run_id = ? AND status = 'ok'`).pluck().iterate(runId);
    for (const id of rows as Iterable<number>) if (id >= 0 && id < n) done[id] = 1;
    return done;
  }

  /**
   * Store one evaluated batch in one transaction.
   * @param X parameter matrix of all candidates (row-major, one column per layout parameter)
   * @param F metric rows of this batch, in the order of `ids`
   * @param idBase added to each row index of X to make its candidate id (a search's later batches)
   */
  writeEvaluated(runId: string, layout: ParamLayout, X: Float64Array, ids: Int32Array, F: Float64Array, idBase = 0): void {
    const d = layout.params.length;
    this.dbm.transaction(() => {
      ids.forEach((id, r) => this.insertCandidate.run(runId, idBase + id, layout.family, 'ok', JSON.stringify(decodeRow(layout, X, id * d)), metricsJson(F, r * METRIC_COUNT), null));
    });
  }

  /** Store a batch that failed, with the error, in one transaction. */
  writeFailed(runId: string, layout: ParamLayout, X: Float64Array, ids: Int32Array, error: string, idBase = 0): void {
    const d = layout.params.length;
    this.dbm.transaction(() => {
      ids.forEach((id) => this.insertCandidate.run(runId, idBase + id, layout.family, 'failed', JSON.stringify(decodeRow(layout, X, id * d)), null, error));
    });
  }

  /** Store every candidate's feasibility, violation, constrained front rank and crowding (candidate id = index). */
  writeRanking(runId: string, rank: Int32Array, crowding: Float64Array, violation: Float64Array): void {
    const update = this.dbm.db.prepare(
      'UPDATE optimization_candidates SET feasible = ?, violation = ?, front_rank = ?, crowding = ? WHERE run_id = ? AND candidate_id = ?',
    );
    this.dbm.transaction(() => {
      for (let id = 0; id < rank.length; id++) {
        const v = violation[id];
        // SQLite stores no infinities as REAL text; the boundary crowding +Infinity is stored as NULL.
        const c = crowding[id];
        update.run(v === 0 ? 1 : 0, Number.isFinite(v) ? v : null, rank[id], Number.isFinite(c) ? c : null, runId, id);
      }
    });
  }

  /** Candidates stored for a run (ok or failed). */
  countStored(runId: string): number {
    return this.dbm.db.prepare('SELECT COUNT(*) FROM optimization_candidates WHERE run_id = ?').pluck().get(runId) as number;
  }

  /** Store one candidate's metrics on the hold-out window. */
  writeHoldout(runId: string, candidateId: number, F: Float64Array): void {
    this.dbm.db.prepare('UPDATE optimization_candidates SET holdout_metrics_json = ? WHERE run_id = ? AND candidate_id = ?').run(metricsJson(F, 0), runId, candidateId);
  }

  /** Record (or replace) the adopted configuration of a family and regime. */
  adopt(a: Adoption, now = new Date()): void {
    this.dbm.db
      .prepare(
        `INSERT INTO strategy_configs (family, family_version, regime, params_json, metrics_json, holdout_metrics_json, run_id, data_hash, created_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'adopted')
         ON CONFLICT (family, family_version, regime) DO UPDATE SET params_json = excluded.params_json, metrics_json = excluded.metrics_json,
           holdout_metrics_json = excluded.holdout_metrics_json, run_id = excluded.run_id, data_hash = excluded.data_hash,
           created_at = excluded.created_at, status = excluded.status`,
      )
      .run(a.family, a.familyVersion, a.regime, JSON.stringify(a.params), JSON.stringify(a.metrics, jsonNumbers), JSON.stringify(a.holdoutMetrics, jsonNumbers), a.runId, a.dataHash, now.toISOString());
  }

  /** Every stored candidate of a run, in candidate order, streamed from the database. */
  *results(runId: string): Generator<StoredResult> {
    const rows = this.dbm.db
      .prepare('SELECT candidate_id, status, params_json, metrics_json, error FROM optimization_candidates WHERE run_id = ? ORDER BY candidate_id')
      .iterate(runId) as Iterable<{ candidate_id: number; status: 'ok' | 'failed'; params_json: string; metrics_json: string | null; error: string | null }>;
    for (const r of rows) {
      let metrics: Float64Array | null = null;
      if (r.metrics_json !== null) {
        metrics = new Float64Array(METRIC_COUNT);
        metricsFromJson(r.metrics_json, metrics, 0);
      }
      yield { candidateId: r.candidate_id, status: r.status, paramsJson: r.params_json, metrics, error: r.error };
    }
  }

  /** Every stored candidate's ranking and hold-out metrics, in candidate order (the read side of `writeRanking` / `writeHoldout`). */
  *rankings(runId: string): Generator<StoredRanking> {
    const rows = this.dbm.db
      .prepare('SELECT candidate_id, feasible, violation, front_rank, crowding, holdout_metrics_json FROM optimization_candidates WHERE run_id = ? ORDER BY candidate_id')
      .iterate(runId) as Iterable<{ candidate_id: number; feasible: number | null; violation: number | null; front_rank: number | null; crowding: number | null; holdout_metrics_json: string | null }>;
    for (const r of rows) {
      let holdoutMetrics: Float64Array | null = null;
      if (r.holdout_metrics_json !== null) {
        holdoutMetrics = new Float64Array(METRIC_COUNT);
        metricsFromJson(r.holdout_metrics_json, holdoutMetrics, 0);
      }
      yield { candidateId: r.candidate_id, feasible: r.feasible === null ? null : r.feasible === 1, violation: r.violation, frontRank: r.front_rank, crowding: r.crowding, holdoutMetrics };
    }
  }

  /** One stored candidate with its family and hold-out metrics (read by the rules of `results`), or undefined when the run has no such candidate. */
  candidate(runId: string, candidateId: number): (StoredResult & { readonly family: string | null; readonly holdoutMetrics: Float64Array | null }) | undefined {
    const r = this.dbm.db
      .prepare('SELECT candidate_id, family, status, params_json, metrics_json, holdout_metrics_json, error FROM optimization_candidates WHERE run_id = ? AND candidate_id = ?')
      .get(runId, candidateId) as
      | { candidate_id: number; family: string | null; status: 'ok' | 'failed'; params_json: string; metrics_json: string | null; holdout_metrics_json: string | null; error: string | null }
      | undefined;
    if (r === undefined) return undefined;
    const row = (json: string | null): Float64Array | null => {
      if (json === null) return null;
      const out = new Float64Array(METRIC_COUNT);
      metricsFromJson(json, out, 0);
      return out;
    };
    return { candidateId: r.candidate_id, family: r.family, status: r.status, paramsJson: r.params_json, metrics: row(r.metrics_json), holdoutMetrics: row(r.holdout_metrics_json), error: r.error };
  }

  /**
   * Run the reads in `fn` on one snapshot of the database (a deferred transaction: in WAL mode it
   * blocks no writer), so reads that span several queries agree while another process writes.
   */
  snapshot<T>(fn: () => T): T {
    return this.dbm.db.transaction(fn).deferred();
  }

  /** Candidates stored per run id (runs with none are absent), in one query: the `evaluated` column of `pnlopt runs`. */
  storedCounts(): Map<string, number> {
    const rows = this.dbm.db.prepare('SELECT run_id, COUNT(*) AS n FROM optimization_candidates GROUP BY run_id').all() as { run_id: string; n: number }[];
    return new Map(rows.map((r) => [r.run_id, r.n]));
  }

  /**
   * Every stored candidate of a run with its ranking, in candidate order, streamed from the database
   * one row at a time (`results` and `rankings` in one query), so a run of any size is read in bounded memory.
   */
  *rankedResults(runId: string): Generator<RankedResult> {
    const rows = this.dbm.db
      .prepare('SELECT candidate_id, family, status, params_json, metrics_json, error, feasible, violation, front_rank, crowding FROM optimization_candidates WHERE run_id = ? ORDER BY candidate_id')
      .iterate(runId) as Iterable<{
      candidate_id: number; family: string | null; status: 'ok' | 'failed'; params_json: string; metrics_json: string | null; error: string | null;
      feasible: number | null; violation: number | null; front_rank: number | null; crowding: number | null;
    }>;
    for (const r of rows) {
      let metrics: Float64Array | null = null;
      if (r.metrics_json !== null) {
        metrics = new Float64Array(METRIC_COUNT);
        metricsFromJson(r.metrics_json, metrics, 0);
      }
      yield {
        candidateId: r.candidate_id, family: r.family, status: r.status, paramsJson: r.params_json, metrics, error: r.error,
        feasible: r.feasible === null ? null : r.feasible === 1, violation: r.violation, frontRank: r.front_rank, crowding: r.crowding,
      };
    }
  }

  /** Every adopted configuration (`strategy_configs`), by family, family version and regime (the read side of `adopt`). */
  adoptedConfigs(): StrategyConfigRow[] {
    return this.dbm.db.prepare('SELECT * FROM strategy_configs ORDER BY family, family_version, regime').all() as StrategyConfigRow[];
  }
}
