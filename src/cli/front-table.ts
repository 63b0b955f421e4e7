/**
 * The Pareto front of a run as a terminal table, best under constraints first, within `MAX_WIDTH`
 * columns: the run, the period of each window, and one row per candidate (id, family when several,
 * metrics with fractions of capital as percentages, the hold-out return and verdict). Parameter
 * values are not inline (they made rows hundreds of columns wide); the footer says where to read
 * them: `pnlopt show RUN_ID`, `pnlopt export RUN_ID --out -`, or summary.json.
 * Then how the candidates fared against the guardrails (failures per guardrail, per family when
 * several, the families none of whose candidates was feasible) and, when nothing is feasible, the
 * least-violating candidates with their gaps instead of the front.
 */
import type { FamilyStats, OptimizationSummary } from '../jobs/optimize.js';
import { fmt, MAX_WIDTH, metricText, pct, renderTable, wrapList, wrapWords, type Cell } from './table.js';

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
    lines.push(`constraints (pairs, basket bounds): ${repairs.rejected} sampled point(s) outside them redrawn, ${repairs.repaired} point(s) projected into them`);
  }
  lines.push(wrapList(s.families.length > 1 ? 'families: ' : 'family: ', s.families));
  const { windows: w } = s;
  lines.push(`period: search window ${period(w.dates.search, w.search)}, hold-out ${period(w.dates.holdout, w.holdout)}; ${w.search.start} warm-up bars before`);
  if (s.status !== 'completed') {
    lines.push(`${s.status} after ${s.evaluated} candidates: ${s.adoption_reason}`);
    return lines.join('\n');
  }
  // A summary written before guardrail failures were counted has no `family_stats`.
  const stats = s.family_stats ?? [];
  if (s.front.length === 0) {
    const least = (s.least_violating ?? []).length > 0;
    lines.push(...guardrailLines(s, stats));
    if (least) lines.push(leastViolatingTable(s));
    lines.push(wrapWords('not adopted: ', s.adoption_reason));
    if (least) lines.push(...footer(s));
    return lines.join('\n');
  }
  lines.push(`feasible Pareto front on the search window (first ${s.front.length}; * = best under constraints; returns and drawdown in % of capital, exposure in % of bars):`);
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
  lines.push(wrapWords(s.adopted ? 'adopted: ' : 'not adopted: ', s.adoption_reason));
  lines.push(...guardrailLines(s, stats));
  lines.push(...footer(s));
  return lines.join('\n');
}

function footer(s: OptimizationSummary): string[] {
  return [
    `parameter values (by candidate id):   pnlopt show ${s.run_id}`,
    `reproduce a candidate's metrics:      pnlopt backtest --run ${s.run_id} --candidate ${s.best?.candidate_id ?? 'ID'} [--window holdout]`,
    `every candidate with its parameters:  pnlopt export ${s.run_id} --out -`,
    `summary, the front with parameters:   ${s.out_dir}/summary.json`,
  ];
}

/** The guardrails failed at least once, most failed first, as [key, count]. */
function failedFirst(failures: Record<string, number>): [string, number][] {
  return Object.entries(failures).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
}

/** Failures per guardrail (the failed ones, most failed first), per family when several, and the families that were never feasible. */
function guardrailLines(s: OptimizationSummary, stats: readonly FamilyStats[]): string[] {
  if (stats.length === 0) return [];
  const checked = stats.reduce((t, f) => t + f.checked, 0);
  const feasible = stats.reduce((t, f) => t + f.feasible, 0);
  const failed = failedFirst(s.guardrail_failures);
  const lines: string[] = [];
  if (failed.length === 0) lines.push(`guardrail failures on the search window: none (${checked} candidates with metrics)`);
  else {
    lines.push(`guardrail failures on the search window (${checked} candidates with metrics, ${feasible} feasible; a candidate may fail several):`);
    lines.push(renderTable(['guardrail', 'failed', 'share'], failed.map(([key, n]) => [key, n, pct(n / checked)]), [false, true, true]));
  }
  if (stats.length > 1) {
    for (const f of stats) {
      const items = failedFirst(f.guardrail_failures).map(([key, n]) => `${key} ${n}`);
      lines.push(wrapList(`  ${f.family}: ${f.checked} candidates with metrics, ${f.feasible} feasible${items.length > 0 ? '; failed: ' : ''}`, items));
    }
  }
  for (const f of stats.filter((x) => x.infeasible)) {
    const binding = f.binding.map((b) => `${b.key} at best ${metricText(b.metric, b.closest, 3)} vs limit ${metricText(b.metric, b.threshold, 3)}`);
    const why = binding.length > 0 ? `infeasible under the guardrails (binding: ${binding.join(', ')})` : `none of its ${f.checked} candidates met every guardrail (no guardrail failed by all)`;
    const retired = f.retired_after !== null ? `; the bandit stopped after ${f.retired_after} candidates` : '';
    lines.push(wrapWords(`family ${f.family}: `, why + retired));
  }
  return lines;
}

/** The least-violating candidates: metrics, total violation, and each failed guardrail's gap (continued on the next rows when they do not fit). */
function leastViolatingTable(s: OptimizationSummary): string {
  const several = s.families.length > 1;
  const header = ['id', ...(several ? ['family'] : []), 'violation', ...SHOWN_METRICS.map(([, h]) => h), 'violations'];
  const right = header.map((h) => h !== 'family' && h !== 'violations');
  const cells = s.least_violating.map((c) => [c.candidate_id, ...(several ? [c.family] : []), fmt(c.violation, 3), ...SHOWN_METRICS.map(([m, , text]) => text(c.metrics[m]))]);
  // The column the gaps start at: the table's width without them.
  const start = renderTable(header.slice(0, -1), cells, right).split('\n')[0].length + 2;
  const room = Math.max(MAX_WIDTH - start, 1);
  const rows: Cell[][] = [];
  s.least_violating.forEach((c, i) => {
    // The key's last part (unique among the guardrails) and the gap; `-`: the metric is undefined.
    const items = Object.entries(c.violations).map(([key, v], j, all) => `${key.slice(key.lastIndexOf('.') + 1)}=${fmt(v, 3)}${j < all.length - 1 ? ',' : ''}`);
    let piece = '';
    let first = true;
    const flush = () => {
      rows.push(first ? [...cells[i], piece] : [...cells[i].map(() => ''), piece]);
      first = false;
      piece = '';
    };
    for (const item of items) {
      if (piece !== '' && piece.length + 1 + item.length > room) flush();
      piece = piece === '' ? item : `${piece} ${item}`;
    }
    flush();
  });
  return [
    `least-violating candidates on the search window (nothing is feasible; first ${s.least_violating.length}, least total violation first; returns and drawdown`,
    "in % of capital, exposure in % of bars; violations: how far past each limit, in the metric's own units):",
    renderTable(header, rows, right),
  ].join('\n');
}
