/**
 * Every stored candidate of a run as CSV (`pnlopt export`), streamed from the store in pieces so a
 * run of any size is exported in bounded memory.
 *
 * Columns: `candidate_id,family,<each parameter>,<each metric>,feasible,violation,front_rank,crowding`.
 * - Parameters: the union of the run's families' parameter names, in the order of its stored
 *   `param_ranges_json` (family by family), or, for a run without one (evaluate), the stored
 *   families' columns in the order they were stored. A parameter a candidate does not have (another family's, or an
 *   inactive conditional one) is an empty cell.
 * - Metrics in METRIC_NAMES order, written as `pnlopt evaluate` writes them (`formatMetric`):
 *   `String(v)`, which round-trips exactly, `inf` / `-inf`, `nan`. A failed candidate has empty
 *   metric cells.
 * - `feasible` is `true` / `false`, empty when the run has not ranked its candidates (an interrupted
 *   run, an evaluate run); likewise `violation` (also empty when not finite: a failed candidate),
 *   `front_rank`, `crowding` (the boundary crowding is `inf`).
 * - `family`: as stored with the candidate; for a row stored before the store kept it (migration
 *   3), the run's family when the run has one, else empty.
 * Cells are formatted from the store's typed chunks: no object per candidate.
 */
import { METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/portfolio/metrics.js';
import type { ParamColumn } from '../config/param-layout.js';
import { formatMetric } from '../data/candidates-csv.js';
import { csvField } from '../data/csv.js';
import { Stored, type CandidateChunk, type StoredFamily, type StoredRankingColumns } from '../store/candidate-tables.js';
import { storedJson, type RunRow, type RunStore } from '../store/run-store.js';

/** Characters written per piece. */
const CHUNK_CHARS = 1 << 16;

/** One searched parameter as stored in `param_ranges_json` (`{ name, ...spec }`). */
interface StoredParam {
  readonly name: string;
}

/** A number as a CSV cell: empty when there is none. */
function csvNumber(v: number | null | undefined): string {
  return v === null || v === undefined ? '' : formatMetric(v);
}

/** Parameter names from the run's `param_ranges_json` (family by family), or null when it has none (evaluate) or it is unreadable. */
function rangeNames(run: RunRow): string[] | null {
  const ranges = storedJson(run.param_ranges_json);
  if (ranges === null || typeof ranges !== 'object' || Array.isArray(ranges)) return null;
  const names = new Set<string>();
  for (const params of Object.values(ranges as Record<string, unknown>)) {
    if (!Array.isArray(params)) return null;
    for (const p of params) if (typeof p === 'object' && p !== null && typeof (p as StoredParam).name === 'string') names.add((p as StoredParam).name);
  }
  return [...names];
}

/** Parameter names in stable order: from the stored ranges, else the stored families' columns in the order they were stored. */
function paramNames(run: RunRow, families: readonly StoredFamily[]): string[] {
  return rangeNames(run) ?? [...new Set(families.flatMap((f) => f.columns.map((c) => c.name)))];
}

/** The header of the run's CSV. */
export function csvHeader(params: readonly string[]): string[] {
  return ['candidate_id', 'family', ...params, ...METRIC_NAMES, 'feasible', 'violation', 'front_rank', 'crowding'];
}

/** Per exported parameter name, a family's column holding it (or undefined). */
function columnsByName(f: StoredFamily, names: readonly string[]): ({ col: number; column: ParamColumn } | undefined)[] {
  return names.map((name) => {
    const col = f.columns.findIndex((c) => c.name === name);
    return col < 0 ? undefined : { col, column: f.columns[col] };
  });
}

/** Candidate k of the chunk as a CSV line. */
function csvRow(c: CandidateChunk, k: number, families: readonly StoredFamily[], byName: readonly (ReturnType<typeof columnsByName>)[], names: readonly string[], ranking: StoredRankingColumns | null): string {
  const id = c.first + k;
  const f = c.family[k];
  let line = `${id},${csvField(f < 0 ? '' : families[f].name)}`;
  for (let j = 0; j < names.length; j++) {
    const at = f < 0 ? undefined : byName[f][j];
    const v = at === undefined ? NaN : c.params[k * c.width + at.col];
    if (Number.isNaN(v) || at === undefined) line += ',';
    else if (at.column.choices === undefined) line += ',' + formatMetric(v);
    else {
      const choice = at.column.choices[v];
      line += ',' + (typeof choice === 'number' ? formatMetric(choice) : csvField(choice));
    }
  }
  if (c.stored[k] === Stored.ok) for (let j = 0; j < METRIC_COUNT; j++) line += ',' + formatMetric(c.metrics[k * METRIC_COUNT + j]);
  else line += ','.repeat(METRIC_COUNT);
  const rank = ranking === null || id >= ranking.frontRank.length ? -1 : ranking.frontRank[id];
  if (rank < 0) return line + ',,,,\n';
  const v = ranking!.violation[id];
  return line + `,${String(v === 0)},${Number.isFinite(v) ? csvNumber(v) : ''},${rank},${formatMetric(ranking!.crowding[id])}\n`;
}

/**
 * Write every stored candidate of `run` as CSV through `write`, in pieces of about 64 K characters,
 * reading the store in one snapshot (a run still being written gives a consistent file).
 * @returns the number of candidate rows written
 */
export function exportRunCsv(store: RunStore, run: RunRow, write: (chunk: string) => void): number {
  return store.snapshot(() => {
    const families = store.families(run.run_id);
    const names = paramNames(run, families);
    const byName = families.map((f) => columnsByName(f, names));
    const ranking = store.rankingColumns(run.run_id);
    let text = csvHeader(names).map(csvField).join(',') + '\n';
    let rows = 0;
    for (const c of store.chunks(run.run_id, families)) {
      for (let k = 0; k < c.count; k++) {
        if (c.stored[k] === Stored.none) continue;
        text += csvRow(c, k, families, byName, names, ranking);
        rows++;
        if (text.length >= CHUNK_CHARS) {
          write(text);
          text = '';
        }
      }
    }
    if (text.length > 0) write(text);
    return rows;
  });
}
