/**
 * Configurations scored on realized performance (`pnlopt realized`; the seed's optimizer "runs
 * backtests or reads realized performance from the DB"): every configuration traded on paper (a
 * cache entry or a family baseline) with its closed trades in `trade_executions`, as a metric row
 * ranked exactly as optimize ranks candidates: the configured objectives, Pareto fronts under the
 * guardrails (Deb's constraint domination), and the best under constraints by the primary objective.
 *
 * A record of closed trades gives total_trades, win_rate, profit_factor, total_profit, total_return
 * (realized pnl / initial capital) and max_drawdown (of the closed-trade equity); the other metrics
 * (a per-bar Sharpe, exposure, forecast hit rate, calibration) need the bar path of one
 * configuration alone, which a shared paper book does not have: they are null, rank as the worst
 * value, and the guardrails on them are not judged (the capital-at-risk guardrail binds every paper
 * order by construction).
 */
import { Metric, METRIC_COUNT, METRIC_NAMES, type MetricName } from '../../native-free-kernels/portfolio/metrics.js';
import type { PnloptConfig } from '../config/load.js';
import { metricRecord } from '../report/metrics.js';
import { failedGuardrails, guardrailChecks, guardrailViolation } from '../search/guardrails.js';
import { objectiveColumns, objectiveMatrix } from '../search/objectives.js';
import { bestUnderConstraints, createRankingWorkspace, rankAndCrowd } from '../search/ranking.js';
import type { DatabaseManager } from '../store/database.js';
import { realizedGroups, realizedMetricsOf, type RealizedMetrics } from '../store/realized-trades.js';

/** The metrics a record of closed trades defines. */
export const REALIZED_METRICS: ReadonlySet<MetricName> = new Set<MetricName>(['total_trades', 'win_rate', 'profit_factor', 'total_profit', 'total_return', 'max_drawdown']);

/** Realized figures as a metric row: the slots they define, NaN (undefined) elsewhere. */
export function realizedRow(r: RealizedMetrics, initialCapital: number): Float64Array {
  const F = new Float64Array(METRIC_COUNT).fill(NaN);
  F[Metric.total_trades] = r.total_trades;
  F[Metric.win_rate] = r.win_rate;
  F[Metric.profit_factor] = r.profit_factor;
  F[Metric.max_drawdown] = r.max_drawdown;
  F[Metric.total_profit] = r.total_pnl;
  F[Metric.total_return] = r.total_pnl / initialCapital;
  return F;
}

export interface RealizedCandidate {
  readonly family: string;
  readonly source: 'cache' | 'baseline';
  readonly config_id: number | null;
  readonly regimes: readonly string[];
  readonly sessions: readonly string[];
  readonly metrics: Record<string, number>;
  readonly feasible: boolean;
  /** Guardrails it misses, of those realized figures can judge. */
  readonly failed_guardrails: readonly string[];
  readonly front_rank: number;
  readonly crowding: number;
}

export interface RealizedScores {
  /** Ranked: front, then crowding (descending), then family and entry. */
  readonly candidates: readonly RealizedCandidate[];
  /** Index into `candidates` of the best under constraints, null when none is feasible. */
  readonly best: number | null;
  /** Guardrail keys judged on realized figures. */
  readonly judged_guardrails: readonly string[];
  /** Objectives realized figures cannot give (null for every configuration). */
  readonly undefined_objectives: readonly string[];
}

export function scoreRealized(cfg: PnloptConfig, dbm: DatabaseManager, filter: { family?: string | undefined; regime?: string | undefined }): RealizedScores {
  const initial = cfg.strategy.simulation.initial_capital;
  const groups = realizedGroups(dbm, filter);
  const n = groups.length;
  const M = new Float64Array(n * METRIC_COUNT);
  groups.forEach((g, i) => M.set(realizedRow(realizedMetricsOf(g.pnl, initial), initial), i * METRIC_COUNT));
  const checks = guardrailChecks(cfg).filter((c) => REALIZED_METRICS.has(c.metric));
  const { objectives, primary_objective: primaryName } = cfg.strategy.optimizer;
  const cols = objectiveColumns(objectives, METRIC_NAMES);
  const m = objectives.length;
  const F = new Float64Array(n * m);
  objectiveMatrix(M, METRIC_COUNT, n, cols, F);
  const violation = Float64Array.from(groups, (_, i) => guardrailViolation(checks, M, i * METRIC_COUNT));
  const rank = new Int32Array(n);
  const crowd = new Float64Array(n);
  if (n > 0) rankAndCrowd(F, violation, n, m, rank, crowd, createRankingWorkspace(n, m));
  const best = n > 0 ? bestUnderConstraints(F, violation, rank, n, m, objectives.findIndex((o) => o.metric === primaryName)) : -1;
  const rows = groups.map((g, i): RealizedCandidate & { i: number } => ({
    i, family: g.family, source: g.source, config_id: g.config_id, regimes: g.regimes, sessions: g.sessions,
    metrics: metricRecord(M.subarray(i * METRIC_COUNT, (i + 1) * METRIC_COUNT)), feasible: violation[i] === 0,
    failed_guardrails: failedGuardrails(checks, M, i * METRIC_COUNT), front_rank: rank[i], crowding: crowd[i],
  }));
  rows.sort((a, b) => a.front_rank - b.front_rank || (a.crowding === b.crowding ? a.i - b.i : a.crowding > b.crowding ? -1 : 1));
  return {
    candidates: rows.map(({ i: _i, ...c }) => c),
    best: best < 0 ? null : rows.findIndex((r) => r.i === best),
    judged_guardrails: checks.map((c) => c.key),
    undefined_objectives: objectives.filter((o) => !REALIZED_METRICS.has(o.metric as MetricName)).map((o) => o.metric),
  };
}
