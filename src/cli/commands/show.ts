/**
 * `pnlopt show RUN_ID`: one stored run. A run that has ended prints its summary, the content of
 * its summary.json (`--json`: that JSON; text: the front table of an optimize run with the
 * parameters of each front candidate as `--params` takes them, a short report of an evaluate run
 * with its window). A run with no summary
 * (still running, or its process was killed; or one that failed, whose summary is only its
 * error) prints its record: status, command, seed, hashes, window, budget, candidates stored.
 */
import type { OptimizationSummary } from '../../jobs/optimize.js';
import { numberFromJson } from '../../report/json.js';
import { runFamilies, runKind, storedJson, type RunRow } from '../../store/run-store.js';
import { escapeControl } from '../../terminal-text.js';
import { frontTable } from '../front-table.js';
import type { TradedWindow } from '../../jobs/windows.js';
import { windowPeriod } from '../window-options.js';
import { paramsArg } from './backtest.js';
import { printResult } from '../options.js';
import { fmt, wrapWords } from '../table.js';
import { findRun, finishedSummary, shortTime, withRunStore, type StoreOptions } from './runs.js';

/** Terminal output is kept within this many columns. */

/** A run's record, for a run without a summary (`--json`). */
export interface RunRecord {
  readonly run_id: string;
  readonly status: string;
  readonly kind: string;
  readonly command: string;
  readonly families: readonly string[];
  readonly optimizer: string | null;
  readonly seed: string | null;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly config_hash: string;
  readonly data_hash: string;
  readonly code_version: string;
  readonly sampler: unknown;
  readonly data_window: unknown;
  readonly budget: number | null;
  /** Candidates stored (ok or failed). */
  readonly stored: number;
  /** The error a failed run recorded, else null. */
  readonly error: string | null;
}

export function runRecord(row: RunRow, stored: number): RunRecord {
  const summary = storedJson(row.summary_json) as { error?: unknown } | null;
  return {
    run_id: row.run_id,
    status: row.status,
    kind: runKind(row.command),
    command: row.command,
    families: runFamilies(row),
    optimizer: row.optimizer,
    seed: row.seed,
    started_at: row.created_at,
    finished_at: row.finished_at,
    config_hash: row.config_hash,
    data_hash: row.data_hash,
    code_version: row.code_version,
    sampler: storedJson(row.sampler_json),
    data_window: storedJson(row.data_window_json),
    budget: row.budget,
    stored,
    error: row.status === 'failed' && typeof summary?.error === 'string' ? summary.error : null,
  };
}

/** A window record in one line: bar ranges as `start..end` with their dates when recorded, long lists cut. */
function windowText(w: unknown): string {
  if (w === null || typeof w !== 'object') return '-';
  const { dates, ...rest } = w as Record<string, unknown>;
  // An optimize run records the dates of each window by name; an evaluate run the dates of its one window.
  const byWindow = dates !== null && typeof dates === 'object' && !Array.isArray(dates) ? (dates as Record<string, unknown>) : null;
  return Object.entries(byWindow === null && dates !== undefined ? { ...rest, dates } : rest)
    .map(([k, v]) => {
      if (Array.isArray(v)) return `${k}=${v.length > 8 ? `${v.slice(0, 8).join(',')},... (${v.length})` : v.join(',')}`;
      if (v !== null && typeof v === 'object' && 'start' in v && 'end' in v) {
        const d = byWindow?.[k];
        return `${k}=bars ${String(v.start)}..${String(v.end)}${Array.isArray(d) ? ` (${d.join(' .. ')})` : ''}`;
      }
      return `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
    })
    .join(' ');
}

export function recordText(r: RunRecord): string {
  const head =
    r.status === 'running'
      ? `run ${r.run_id}: running, no summary yet (it is still running, or its process was stopped before it could record one)`
      : r.status === 'failed'
        ? `run ${r.run_id}: failed${r.error !== null ? `: ${r.error}` : ''}`
        : `run ${r.run_id}: ${r.status}, no summary recorded`;
  const fields: [string, string][] = [
    ['command', r.command],
    [r.families.length > 1 ? 'families' : 'family', r.families.join(', ') || '-'],
    ['optimizer', r.optimizer ?? '-'],
    ['seed', r.seed ?? '-'],
    ['started', `${shortTime(r.started_at)} UTC`],
    ['finished', r.finished_at === null ? '-' : `${shortTime(r.finished_at)} UTC`],
    ['config hash', r.config_hash],
    ['data hash', r.data_hash],
    ['code version', r.code_version],
    ['window', windowText(r.data_window)],
    ['budget', r.budget === null ? '-' : String(r.budget)],
    ['stored', `${r.stored} candidate(s)`],
  ];
  const pad = Math.max(...fields.map(([k]) => k.length)) + 2;
  return [wrapWords('', head), ...fields.map(([k, v]) => wrapWords(`${k}:`.padEnd(pad), v, ' '.repeat(pad)))].join('\n');
}

/** The summary as read back, with `"inf"` / `"-inf"` as numbers again for the tables (parameter values are kept as stored). */
function revive(v: unknown, key = ''): unknown {
  if (key === 'params') return v;
  if (v === 'inf' || v === '-inf') return numberFromJson(v);
  if (Array.isArray(v)) return v.map((x) => revive(x));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x, k)]));
  return v;
}

/**
 * The parameters of each front candidate, one per line (the front table leaves them out), as
 * `--params` takes them: not wrapped, so a line pastes whole even past the terminal width.
 */
function frontParams(s: OptimizationSummary): string {
  if (s.front.length === 0) return '';
  const several = s.families.length > 1;
  const ids = s.front.map((c) => String(c.candidate_id));
  const idWidth = Math.max(...ids.map((id) => id.length));
  const familyWidth = several ? Math.max(...s.front.map((c) => c.family.length)) : 0;
  const lines = s.front.map((c, i) => escapeControl(`  ${ids[i].padStart(idWidth)}  ${several ? c.family.padEnd(familyWidth) + '  ' : ''}${paramsArg(c.params)}`));
  return [`parameters of the front candidates, as --params takes them (every candidate: pnlopt export ${s.run_id} --out -):`, ...lines].join('\n');
}

interface EvaluateSummaryText {
  run_id: string;
  status: string;
  candidates: number;
  already_done: number;
  evaluated: number;
  failed: number;
  /** Absent from a summary recorded before failures were counted. */
  first_error?: string | null;
  out: string | null;
  /** Absent from a summary recorded before windows were dated. */
  window?: TradedWindow;
  workers: number;
  batch_size: number;
  seconds: number;
}

function evaluateText(s: EvaluateSummaryText, row: RunRow, stored: number): string {
  const done = s.already_done > 0 ? `, ${s.already_done} stored before` : '';
  return [
    wrapWords('', `run ${s.run_id} (evaluate ${row.family ?? ''}): ${s.status}, ${s.candidates} candidates (${s.evaluated} evaluated, ${s.failed} failed${done}) in ${fmt(s.seconds, 3)} s with ${s.workers} workers, batch ${s.batch_size}`),
    ...(s.failed > 0 && typeof s.first_error === 'string' ? [wrapWords('', `failed: ${s.failed} candidate(s), stored without metrics; first error: ${s.first_error}`)] : []),
    ...(s.window !== undefined ? [`window: ${windowPeriod(s.window)}`] : []),
    wrapWords('', `command: ${row.command}`),
    `stored: ${stored} candidate(s)${s.out !== null ? `; written to ${s.out}` : ''}`,
  ].join('\n');
}

/** What `show` prints for a run: its summary when it has one, else its record. */
export function showRun(row: RunRow, stored: number): { json: unknown; text: () => string } {
  const summary = finishedSummary(row);
  // A failed run's summary is only its error: the record says more.
  if (summary === null || typeof summary.run_id !== 'string') {
    const record = runRecord(row, stored);
    return { json: record, text: () => recordText(record) };
  }
  const kind = runKind(row.command);
  return {
    json: summary,
    text: () => {
      if (kind === 'optimize' && Array.isArray(summary.front) && typeof summary.windows === 'object') {
        const s = revive(summary) as OptimizationSummary;
        const params = frontParams(s);
        return frontTable(s) + (params === '' ? '' : '\n' + params);
      }
      if (typeof summary.candidates === 'number') return evaluateText(revive(summary) as EvaluateSummaryText, row, stored);
      return recordText(runRecord(row, stored));
    },
  };
}

/** Run `pnlopt show` (declared in show-command.ts, which loads this module when the command runs). */
export function showAction(runId: string, opts: StoreOptions): void {
  withRunStore(opts, (open) => {
    const row = findRun(open, runId);
    const shown = showRun(row, open.store.countStored(row.run_id));
    printResult(opts, shown.json, shown.text);
  });
}
