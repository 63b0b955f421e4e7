/**
 * Every stored candidate of a run as CSV (`pnlopt export`), streamed from the store in pieces so a
 * run of any size is exported in bounded memory.
 *
 * Columns: `candidate_id,family,<each parameter>,<each metric>,feasible,violation,front_rank,crowding`.
 * - Parameters: the union of the run's families' parameter names, in the order of its stored
 *   `param_ranges_json` (family by family), or, for a run without one (evaluate), in the order the
 *   stored rows first name them. A parameter a candidate does not have (another family's, or an
 *   inactive conditional one) is an empty cell.
 * - Metrics in METRIC_NAMES order, written as `pnlopt evaluate` writes them (`formatMetric`):
 *   `String(v)`, which round-trips exactly, `inf` / `-inf`, `nan`. A failed candidate has empty
 *   metric cells.
 * - `feasible` is `true` / `false`, empty when the run has not ranked its candidates (an interrupted
 *   run, an evaluate run); likewise `violation`, `front_rank`, `crowding`. The store keeps the
 *   boundary crowding +Infinity as NULL, so a ranked row with no stored crowding is `inf`.
 * - `family`: as stored with the candidate; for a row stored before the store kept it (migration
 *   3), the run's family when the run has one, else empty.
 */
import { METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/portfolio/metrics.js';
import { formatMetric } from '../data/candidates-csv.js';
import { csvField } from '../data/csv.js';
import { runFamilies, storedJson, type RankedResult, type RunRow, type RunStore } from '../store/run-store.js';

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

function paramCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return csvNumber(v);
  return csvField(typeof v === 'string' ? v : JSON.stringify(v));
}

/** `param_ranges_json` by family, or null when the run has none (evaluate) or it is unreadable. */
function storedRanges(run: RunRow): Map<string, readonly StoredParam[]> | null {
  const ranges = storedJson(run.param_ranges_json);
  if (ranges === null || typeof ranges !== 'object' || Array.isArray(ranges)) return null;
  const out = new Map<string, readonly StoredParam[]>();
  for (const [family, params] of Object.entries(ranges as Record<string, unknown>)) {
    if (!Array.isArray(params)) return null;
    out.set(family, params.filter((p): p is StoredParam => typeof p === 'object' && p !== null && typeof (p as StoredParam).name === 'string'));
  }
  return out;
}

/** Parameter names in stable order: from the stored ranges, else in first-seen order over the stored rows (one streamed pass). */
function paramNames(store: RunStore, run: RunRow, ranges: Map<string, readonly StoredParam[]> | null): string[] {
  const names = new Set<string>();
  if (ranges !== null) {
    for (const params of ranges.values()) for (const p of params) names.add(p.name);
    return [...names];
  }
  for (const r of store.rankedResults(run.run_id)) {
    for (const k of Object.keys(JSON.parse(r.paramsJson) as Record<string, unknown>)) names.add(k);
  }
  return [...names];
}

/** The header of the run's CSV. */
export function csvHeader(params: readonly string[]): string[] {
  return ['candidate_id', 'family', ...params, ...METRIC_NAMES, 'feasible', 'violation', 'front_rank', 'crowding'];
}

function csvRow(r: RankedResult, family: string, params: Record<string, unknown>, names: readonly string[]): string {
  let line = `${r.candidateId},${csvField(family)}`;
  for (const name of names) line += ',' + paramCell(params[name]);
  const m = r.metrics;
  for (let j = 0; j < METRIC_COUNT; j++) line += ',' + (m === null ? '' : csvNumber(m[j]));
  const crowding = r.crowding === null ? (r.frontRank === null ? '' : 'inf') : csvNumber(r.crowding);
  line += `,${r.feasible === null ? '' : String(r.feasible)},${csvNumber(r.violation)},${r.frontRank === null ? '' : String(r.frontRank)},${crowding}`;
  return line + '\n';
}

/**
 * Write every stored candidate of `run` as CSV through `write`, in pieces of about 64 K characters,
 * reading the store in one snapshot (a run still being written gives a consistent file).
 * @returns the number of candidate rows written
 */
export function exportRunCsv(store: RunStore, run: RunRow, write: (chunk: string) => void): number {
  return store.snapshot(() => {
    const ranges = storedRanges(run);
    const names = paramNames(store, run, ranges);
    const families = runFamilies(run);
    const runFamily = families.length === 1 ? families[0] : '';
    let chunk = csvHeader(names).map(csvField).join(',') + '\n';
    let rows = 0;
    for (const r of store.rankedResults(run.run_id)) {
      const params = JSON.parse(r.paramsJson) as Record<string, unknown>;
      chunk += csvRow(r, r.family ?? runFamily, params, names);
      rows++;
      if (chunk.length >= CHUNK_CHARS) {
        write(chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) write(chunk);
    return rows;
  });
}
