/**
 * Every stored candidate of a run as CSV (`pnlopt export`), streamed from the store in pieces so a
 * run of any size is exported in bounded memory.
 *
 * Columns: `candidate_id,family,<each parameter>,<each metric>,feasible,violation,front_rank,crowding`.
 * - Parameters: the union of the run's families' parameter names, in the order of its stored
 *   `param_ranges_json` (family by family), or, for a run without one (evaluate), in the order the
 *   stored rows first name them. A parameter a candidate does not have (another family's, or an
 *   inactive conditional one) is an empty cell.
 * - Metrics in METRIC_NAMES order. Numbers are written as `String(v)`, which round-trips exactly;
 *   +/-Infinity as `inf` / `-inf`; NaN and missing values as empty cells. A failed candidate has
 *   empty metric cells.
 * - `feasible` is `true` / `false`, empty when the run has not ranked its candidates (an interrupted
 *   run, an evaluate run); likewise `violation`, `front_rank`, `crowding`. The store keeps the
 *   boundary crowding +Infinity as NULL, so a ranked row with no stored crowding is `inf`.
 * - The family of a candidate: the run's family when it has one. A multi-family run (the bandit)
 *   does not store it per candidate, so it is read off the parameters: the family whose parameter
 *   names hold every stored one and whose unconditional parameters are all there.
 */
import { METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/portfolio/metrics.js';
import type { RankedResult, RunRow, RunStore } from '../store/run-store.js';

/** Characters written per piece. */
const CHUNK_CHARS = 1 << 16;

/** One searched parameter as stored in `param_ranges_json` (`{ name, ...spec }`). */
interface StoredParam {
  readonly name: string;
  readonly when?: unknown;
}

/** A number as a CSV cell (see the header). */
export function csvNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

/** A text cell, quoted (RFC 4180) when it holds a comma, quote or line break. */
function csvText(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function paramCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return csvNumber(v);
  return csvText(typeof v === 'string' ? v : JSON.stringify(v));
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The run's families, as recorded (`family` is comma-separated for a multi-family run). */
export function runFamilies(run: RunRow): string[] {
  return run.family === null || run.family === '' ? [] : run.family.split(',').map((f) => f.trim());
}

/** `param_ranges_json` by family, or null when the run has none (evaluate) or it is unreadable. */
function storedRanges(run: RunRow): Map<string, readonly StoredParam[]> | null {
  const ranges = parseJson(run.param_ranges_json);
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

/** The family of a candidate from its parameter names (see the header); '' when none fits. */
function familyResolver(run: RunRow, ranges: Map<string, readonly StoredParam[]> | null): (params: Record<string, unknown>) => string {
  const families = runFamilies(run);
  if (families.length === 1) return () => families[0];
  if (ranges === null) return () => '';
  const spaces = [...ranges.entries()].map(([family, params]) => ({
    family,
    names: new Set(params.map((p) => p.name)),
    required: params.filter((p) => p.when === undefined || p.when === null).map((p) => p.name),
  }));
  const known = new Map<string, string>();
  return (params) => {
    const keys = Object.keys(params);
    const signature = keys.join('\u0000');
    let family = known.get(signature);
    if (family === undefined) {
      family = spaces.find((s) => keys.every((k) => s.names.has(k)) && s.required.every((k) => k in params))?.family ?? '';
      known.set(signature, family);
    }
    return family;
  };
}

/** The header of the run's CSV. */
export function csvHeader(params: readonly string[]): string[] {
  return ['candidate_id', 'family', ...params, ...METRIC_NAMES, 'feasible', 'violation', 'front_rank', 'crowding'];
}

function csvRow(r: RankedResult, family: string, params: Record<string, unknown>, names: readonly string[]): string {
  let line = `${r.candidateId},${csvText(family)}`;
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
    const familyOf = familyResolver(run, ranges);
    let chunk = csvHeader(names).map(csvText).join(',') + '\n';
    let rows = 0;
    for (const r of store.rankedResults(run.run_id)) {
      const params = JSON.parse(r.paramsJson) as Record<string, unknown>;
      chunk += csvRow(r, familyOf(params), params, names);
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
