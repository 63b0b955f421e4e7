/**
 * Guardrails as feasibility: every candidate of every family is checked against the success
 * criteria (quant_success_config.yml) and the risk limits of signal_routing_config.yml
 * (`max_risk_score` on `risk_score`, `capital_at_risk_per_trade` on `max_capital_at_risk`; the
 * signal thresholds `min_expected_return` and `confidence_threshold` act inside the simulator).
 * A candidate that breaks any check is infeasible, whatever its family: an all-in `sma_cross`
 * position without a stop has the whole equity at risk and cannot pass a small capital-at-risk
 * limit. Thresholds are read from the frozen config; nothing here can change them.
 *
 * The violation, which orders infeasible candidates for Deb's constraint-domination, is the sum
 * over the checks of each one's shortfall g / (1 + g), g the relative shortfall (gap / scale): about
 * g when small, below 1 however large, and 1 when the metric is undefined. A candidate that never
 * traded fails `min_total_trades` whatever its threshold, by the number of checks K, so its
 * violation is at least K, above that of any candidate with trades (at most 1 per check, and
 * `min_total_trades` less than 1): a strategy that does nothing can never outrank one that trades.
 */
import { Metric, type MetricName } from '../../native-free-kernels/portfolio/metrics.js';
import type { PnloptConfig } from '../config/load.js';

export interface GuardrailCheck {
  /** The config key, e.g. `guardrails.max_drawdown`. */
  readonly key: string;
  readonly metric: MetricName;
  readonly op: '>=' | '<=';
  readonly threshold: number;
  /** Shortfalls are divided by this, so checks in different units add up. */
  readonly scale: number;
  /** The shortfall of a candidate with no trade (`min_total_trades` only: the number of checks). */
  readonly noTrades?: number;
}

/** The checks every candidate must pass. */
export function guardrailChecks(cfg: PnloptConfig): GuardrailCheck[] {
  const g = cfg.quantSuccess.guardrails;
  // A zero threshold has no scale of its own: shortfalls are then absolute.
  const scaleOf = (v: number) => (v === 0 ? 1 : Math.abs(v));
  const checks: GuardrailCheck[] = [
    { key: 'guardrails.min_win_rate', metric: 'win_rate', op: '>=', threshold: g.min_win_rate, scale: scaleOf(g.min_win_rate) },
    { key: 'guardrails.min_profit_factor', metric: 'profit_factor', op: '>=', threshold: g.min_profit_factor, scale: scaleOf(g.min_profit_factor) },
    { key: 'guardrails.max_drawdown', metric: 'max_drawdown', op: '<=', threshold: g.max_drawdown, scale: scaleOf(g.max_drawdown) },
    // Profit is in account currency: its natural unit is the initial capital.
    { key: 'guardrails.min_expected_profit', metric: 'total_profit', op: '>=', threshold: g.min_expected_profit, scale: cfg.strategy.simulation.initial_capital },
    { key: 'guardrails.min_total_trades', metric: 'total_trades', op: '>=', threshold: g.min_total_trades, scale: scaleOf(g.min_total_trades) },
    { key: 'guardrails.min_exposure', metric: 'exposure', op: '>=', threshold: g.min_exposure, scale: scaleOf(g.min_exposure) },
  ];
  const ts = cfg.signalRouting.signal_routing.time_series;
  checks.push(
    { key: 'signal_routing.time_series.max_risk_score', metric: 'risk_score', op: '<=', threshold: ts.max_risk_score, scale: scaleOf(ts.max_risk_score) },
    { key: 'signal_routing.time_series.capital_at_risk_per_trade', metric: 'max_capital_at_risk', op: '<=', threshold: ts.capital_at_risk_per_trade, scale: scaleOf(ts.capital_at_risk_per_trade) },
  );
  return checks.map((c) => (c.metric === 'total_trades' ? { ...c, noTrades: checks.length } : c));
}

/**
 * How far a metric row is past one check, in the metric's own units (`max_capital_at_risk` 0.0612
 * under a 0.02 cap: 0.0412): 0 when it passes, NaN when the metric is undefined. A row with no trade
 * misses `min_total_trades` by the threshold, at least one trade (it fails whatever the threshold).
 */
export function guardrailGap(c: GuardrailCheck, F: Float64Array, offset: number): number {
  if (c.noTrades !== undefined && F[offset + Metric.total_trades] === 0) return Math.max(c.threshold, 1);
  const v = F[offset + Metric[c.metric]];
  if (Number.isNaN(v)) return NaN;
  const gap = c.op === '>=' ? c.threshold - v : v - c.threshold;
  // NaN when an infinite threshold meets an infinite value: that passes.
  return gap > 0 ? gap : 0;
}

/** Shortfall of one check on a metric row: 0 when it passes, g / (1 + g) for a relative shortfall g, 1 when the metric is undefined. */
export function shortfall(c: GuardrailCheck, F: Float64Array, offset: number): number {
  if (c.noTrades !== undefined && F[offset + Metric.total_trades] === 0) return c.noTrades;
  const gap = guardrailGap(c, F, offset);
  if (Number.isNaN(gap)) return 1;
  const g = gap / c.scale;
  return g === Infinity ? 1 : g / (1 + g);
}

/** Per check, over the rows a run has scored: how many failed it, and the smallest gap among them (Infinity: none, or only undefined metrics). */
export interface GuardrailTally {
  readonly failed: Float64Array;
  readonly leastGap: Float64Array;
}

export function guardrailTally(checks: readonly GuardrailCheck[]): GuardrailTally {
  return { failed: new Float64Array(checks.length), leastGap: new Float64Array(checks.length).fill(Infinity) };
}

/** Total violation of a metric row (0 = feasible); with a tally, each check the row fails is counted there. */
export function guardrailViolation(checks: readonly GuardrailCheck[], F: Float64Array, offset: number, tally?: GuardrailTally): number {
  let total = 0;
  for (let k = 0; k < checks.length; k++) {
    const s = shortfall(checks[k], F, offset);
    total += s;
    if (s > 0 && tally !== undefined) {
      tally.failed[k]++;
      const gap = guardrailGap(checks[k], F, offset);
      if (gap < tally.leastGap[k]) tally.leastGap[k] = gap;
    }
  }
  return total;
}

/** The keys of the checks a metric row fails. */
export function failedGuardrails(checks: readonly GuardrailCheck[], F: Float64Array, offset: number): string[] {
  return checks.filter((c) => shortfall(c, F, offset) > 0).map((c) => c.key);
}
