/**
 * The Pareto front of a run as a terminal table, best under constraints first, within `MAX_WIDTH`
 * columns: the run, the period of each window, and one row per candidate (id, family when several,
 * metrics with fractions of capital as percentages, the hold-out return and verdict). Parameter
 * values are not inline (they made rows hundreds of columns wide); the footer says where to read
 * them: `pnlopt show RUN_ID`, `pnlopt export RUN_ID --out -`, or summary.json.
 */
import type { OptimizationSummary } from '../jobs/optimize.js';
import { fmt, pct, renderTable, wrapList, type Cell } from './table.js';

/** Shown metric columns: [metric, header, text]. */
const SHOWN_METRICS: readonly (readonly [string, string, (v: number | undefined) => Cell])[] = [
  ['total_return', 'total_return', (v) => pct(v)],
  ['max_drawdown', 'max_drawdown', (v) => pct(v)],
  ['sharpe', 'sharpe', (v) => (v !== undefined && Number.isFinite(v) ? v.toFixed(3) : fmt(v))],
  ['win_rate', 'win_rate', (v) => pct(v)],
  ['profit_factor', 'profit_factor', (v) => fmt(v, 3)],
  ['total_trades', 'trades', (v) => fmt(v)],
  ['exposure', 'exposure', (v) => pct(v)],
];

/** `first .. last (N bars)` of a window. */
function period(dates: readonly [string, string], w: { start: number; end: number }): string {
  return `${dates[0]} .. ${dates[1]} (${w.end - w.start} bars)`;
}

export function frontTable(s: OptimizationSummary): string {
  const lines: string[] = [];
  lines.push(`run ${s.run_id} (${s.optimizer}, seed ${s.seed}): ${s.evaluated} candidates in ${fmt(s.elapsed_s, 3)} s, ${fmt(s.candidates_per_s, 4)} candidates/s`);
  // A summary written before failures were counted has no `failed`.
  if (s.failed > 0) lines.push(`failed: ${s.failed} candidate(s), stored without metrics and scored worst; first error: ${s.first_error}`);
  // Null when interrupted; absent from a summary written before repairs were counted.
  const repairs = s.constraint_repairs;
  if (repairs && repairs.rejected + repairs.repaired > 0) {
    lines.push(`pair constraints: ${repairs.rejected} sampled point(s) outside them redrawn, ${repairs.repaired} point(s) projected into them`);
  }
  lines.push(wrapList(s.families.length > 1 ? 'families: ' : 'family: ', s.families));
  const { windows: w } = s;
  lines.push(`period: search window ${period(w.dates.search, w.search)}, hold-out ${period(w.dates.holdout, w.holdout)}; ${w.search.start} warm-up bars before`);
  if (s.status !== 'completed') {
    lines.push(`${s.status} after ${s.evaluated} candidates: ${s.adoption_reason}`);
    return lines.join('\n');
  }
  if (s.front.length === 0) {
    lines.push('no candidate met every guardrail on the search window; nothing adopted');
    return lines.join('\n');
  }
  lines.push(`feasible Pareto front on the search window (first ${s.front.length}; * = best under constraints; returns, drawdown, exposure in % of capital):`);
  const several = s.families.length > 1;
  const header = ['', 'id', ...(several ? ['family'] : []), ...SHOWN_METRICS.map(([, h]) => h), 'holdout_return', 'holdout_ok'];
  const right = header.map((h) => h !== '' && h !== 'family' && h !== 'holdout_ok');
  const rows = s.front.map((c) => [
    c.candidate_id === s.best?.candidate_id ? '*' : '',
    c.candidate_id,
    ...(several ? [c.family] : []),
    ...SHOWN_METRICS.map(([m, , text]) => text(c.metrics[m])),
    pct(c.holdout_metrics?.total_return),
    c.holdout_failed_guardrails === undefined ? '-' : c.holdout_failed_guardrails.length === 0 ? 'yes' : 'no',
  ]);
  lines.push(renderTable(header, rows, right));
  lines.push(s.adopted ? `adopted: ${s.adoption_reason}` : `not adopted: ${s.adoption_reason}`);
  lines.push(`parameter values (by candidate id): pnlopt show ${s.run_id}`);
  lines.push(`every candidate with its parameters:  pnlopt export ${s.run_id} --out -`);
  lines.push(`summary, the front with parameters:   ${s.out_dir}/summary.json`);
  return lines.join('\n');
}
