/** The Pareto front of a run as a terminal table: best under constraints first. */
import type { OptimizationSummary } from '../jobs/optimize.js';
import { fmt, renderTable } from './table.js';

const SHOWN_METRICS = ['total_return', 'max_drawdown', 'sharpe', 'win_rate', 'profit_factor', 'total_trades'] as const;

function paramsText(p: Record<string, number | string>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v, 4) : v}`)
    .join(' ');
}

export function frontTable(s: OptimizationSummary): string {
  const lines: string[] = [];
  lines.push(`run ${s.run_id}: ${s.evaluated} candidates of ${s.families.join(', ')} by ${s.optimizer} (seed ${s.seed}) in ${fmt(s.elapsed_s, 3)} s, ${fmt(s.candidates_per_s, 4)} candidates/s`);
  lines.push(`search window ${s.windows.dates.search.join(' .. ')}, hold-out ${s.windows.dates.holdout.join(' .. ')}`);
  if (s.status === 'interrupted') {
    lines.push(`interrupted after ${s.evaluated} candidates: ${s.adoption_reason}`);
    return lines.join('\n');
  }
  if (s.front.length === 0) {
    lines.push('no candidate met every guardrail on the search window; nothing adopted');
    return lines.join('\n');
  }
  lines.push(`feasible Pareto front (first ${s.front.length}; * = best under constraints):`);
  const several = s.families.length > 1;
  const header = ['', 'id', ...(several ? ['family'] : []), ...SHOWN_METRICS, 'holdout_return', 'holdout_ok', 'params'];
  const rows = s.front.map((c) => [
    c.candidate_id === s.best?.candidate_id ? '*' : '',
    c.candidate_id,
    ...(several ? [c.family] : []),
    ...SHOWN_METRICS.map((m) => c.metrics[m] ?? null),
    c.holdout_metrics?.total_return ?? null,
    c.holdout_failed_guardrails === undefined ? '-' : c.holdout_failed_guardrails.length === 0 ? 'yes' : 'no',
    paramsText(c.params),
  ]);
  lines.push(renderTable(header, rows));
  lines.push(s.adopted ? `adopted: ${s.adoption_reason}` : `not adopted: ${s.adoption_reason}`);
  lines.push(`summary: ${s.out_dir}/summary.json`);
  return lines.join('\n');
}
