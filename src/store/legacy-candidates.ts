/**
 * Migration 4's conversion of the candidates stored before the columnar tables: one
 * `optimization_candidates` row per candidate with JSON parameters and metrics.
 *
 * Metrics JSON was an object by METRIC_NAMES: finite numbers as numbers, infinities as "inf" /
 * "-inf", NaN as null; rows older than that convention wrote null for every non-finite value (see
 * `NULL_MEANS`). A family's columns are the parameter names in the order its rows first name them;
 * a parameter whose every value is a number stays a number, any other becomes a categorical whose
 * choices are its values in first-seen order, so each row decodes to the JSON it was stored as.
 */
import type { Database } from 'better-sqlite3';
import { METRIC_COUNT, METRIC_NAMES, type MetricName } from '../../native-free-kernels/portfolio/metrics.js';
import type { ParamColumn } from '../config/param-layout.js';
import { numberFromJson } from '../report/json.js';
import { CandidateTables } from './candidate-tables.js';

/**
 * The in-memory value a JSON null stands for, per metric; NaN for the others. Only for rows written
 * before the "inf" / "-inf" convention, which wrote every non-finite value as null: there
 * `profit_factor` was null only when no trade lost, i.e. +Infinity (docs/reference-semantics.md).
 */
const NULL_MEANS: Readonly<Partial<Record<MetricName, number>>> = { profit_factor: Infinity };

/** Parse a stored metrics object into `out` at `offset`. */
export function metricsFromJson(text: string, out: Float64Array, offset: number): void {
  const o = JSON.parse(text) as Record<string, number | string | null>;
  METRIC_NAMES.forEach((name, j) => {
    const v = o[name];
    out[offset + j] = v === null || v === undefined ? (NULL_MEANS[name] ?? NaN) : numberFromJson(v);
  });
}

interface LegacyRow {
  candidate_id: number;
  family: string | null;
  status: string;
  params_json: string;
  metrics_json: string | null;
  holdout_metrics_json: string | null;
  violation: number | null;
  front_rank: number | null;
  crowding: number | null;
  error: string | null;
}

/** Rows per converted batch. */
const BATCH = 4096;

/** A family's columns while its rows are read: names in first-seen order, each one's values. */
class ColumnsBuilder {
  readonly names: string[] = [];
  private readonly values = new Map<string, (string | number)[]>();
  private readonly numeric = new Map<string, boolean>();

  see(params: Record<string, unknown>): void {
    for (const [name, v] of Object.entries(params)) {
      if (!this.values.has(name)) {
        this.names.push(name);
        this.values.set(name, []);
        this.numeric.set(name, true);
      }
      const value = typeof v === 'number' ? v : String(v);
      if (typeof value !== 'number') this.numeric.set(name, false);
      const seen = this.values.get(name)!;
      if (!seen.includes(value)) seen.push(value);
    }
  }

  columns(): ParamColumn[] {
    return this.names.map((name) => (this.numeric.get(name) === true ? { name } : { name, choices: this.values.get(name)! }));
  }
}

/** Convert every legacy candidate row into the columnar tables (the caller holds the migration's transaction). */
export function convertLegacyCandidates(db: Database): void {
  const tables = new CandidateTables(db);
  const runs = db.prepare('SELECT DISTINCT c.run_id, r.family FROM optimization_candidates c LEFT JOIN optimization_runs r USING (run_id)').all() as { run_id: string; family: string | null }[];
  const rowsOf = db.prepare('SELECT candidate_id, family, status, params_json, metrics_json, holdout_metrics_json, violation, front_rank, crowding, error FROM optimization_candidates WHERE run_id = ? ORDER BY candidate_id');
  // A connection cannot write while it iterates: the writing pass reads a page of rows at a time.
  const pageOf = db.prepare(`SELECT candidate_id, family, status, params_json, metrics_json, holdout_metrics_json, violation, front_rank, crowding, error
    FROM optimization_candidates WHERE run_id = ? AND candidate_id >= ? ORDER BY candidate_id LIMIT ${BATCH}`);
  for (const run of runs) {
    // A row stored before migration 3 has no family: the run's, when it has one.
    const familyOf = (r: LegacyRow): string => r.family ?? (run.family !== null && !run.family.includes(',') ? run.family : '');
    const builders = new Map<string, ColumnsBuilder>();
    let ranked = false;
    let n = 0;
    for (const r of rowsOf.iterate(run.run_id) as Iterable<LegacyRow>) {
      const family = familyOf(r);
      if (!builders.has(family)) builders.set(family, new ColumnsBuilder());
      builders.get(family)!.see(JSON.parse(r.params_json) as Record<string, unknown>);
      ranked ||= r.front_rank !== null;
      n = r.candidate_id + 1;
    }
    const columns = new Map([...builders].map(([family, b]) => [family, b.columns()]));
    for (const [family, cols] of columns) tables.family(run.run_id, family, cols);
    const pending = new Map<string, { ids: number[]; params: number[]; metrics: number[] }>();
    const flush = (family: string): void => {
      const p = pending.get(family);
      if (p === undefined || p.ids.length === 0) return;
      tables.ok(run.run_id, family, Int32Array.from(p.ids), Float64Array.from(p.params), Float64Array.from(p.metrics));
      pending.delete(family);
    };
    const rank = new Int32Array(ranked ? n : 0).fill(-1);
    const crowding = new Float64Array(ranked ? n : 0).fill(NaN);
    const violation = new Float64Array(ranked ? n : 0).fill(NaN);
    const row = new Float64Array(METRIC_COUNT);
    const convertRow = (r: LegacyRow): void => {
      const family = familyOf(r);
      const cols = columns.get(family)!;
      const values = JSON.parse(r.params_json) as Record<string, unknown>;
      const encoded = cols.map((c) => {
        const v = values[c.name];
        if (v === undefined || v === null) return NaN;
        return c.choices === undefined ? (v as number) : c.choices.indexOf(typeof v === 'number' ? v : String(v));
      });
      if (r.status === 'ok' && r.metrics_json !== null) {
        let p = pending.get(family);
        if (p === undefined) pending.set(family, (p = { ids: [], params: [], metrics: [] }));
        metricsFromJson(r.metrics_json, row, 0);
        p.ids.push(r.candidate_id);
        p.params.push(...encoded);
        p.metrics.push(...row);
        if (p.ids.length === BATCH) flush(family);
      } else {
        tables.failed(run.run_id, family, Int32Array.of(r.candidate_id), Float64Array.from(encoded), cols.length, r.error ?? 'failed');
      }
      if (r.holdout_metrics_json !== null) {
        metricsFromJson(r.holdout_metrics_json, row, 0);
        tables.writeHoldout(run.run_id, r.candidate_id, row);
      }
      if (ranked && r.front_rank !== null) {
        rank[r.candidate_id] = r.front_rank;
        // NULL stood for the boundary crowding +Infinity, and for a violation that was not finite.
        crowding[r.candidate_id] = r.crowding ?? Infinity;
        violation[r.candidate_id] = r.violation ?? NaN;
      }
    };
    for (let from = 0; ; ) {
      const page = pageOf.all(run.run_id, from) as LegacyRow[];
      page.forEach(convertRow);
      if (page.length < BATCH) break;
      from = page[page.length - 1].candidate_id + 1;
    }
    for (const family of [...pending.keys()]) flush(family);
    if (ranked) tables.writeRanking(run.run_id, rank, crowding, violation);
  }
}
