/** Guardrails as feasibility (the search / hold-out split: tests/jobs/windows.test.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Metric, METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import { loadConfig } from '../../src/config/load.js';
import { failedGuardrails, guardrailChecks, guardrailViolation } from '../../src/search/guardrails.js';
import { configDirWith } from '../helpers/config-dir.js';
import { testConfig } from '../helpers/config.js';

const cfg = testConfig();
const g = cfg.quantSuccess.guardrails;

function row(values: Partial<Record<keyof typeof Metric, number>>): Float64Array {
  const F = new Float64Array(METRIC_COUNT);
  // A passing baseline, then the values under test.
  F[Metric.win_rate] = g.min_win_rate;
  F[Metric.profit_factor] = g.min_profit_factor;
  F[Metric.max_drawdown] = g.max_drawdown;
  F[Metric.total_profit] = g.min_expected_profit;
  F[Metric.total_trades] = g.min_total_trades;
  F[Metric.exposure] = g.min_exposure;
  F[Metric.risk_score] = 0;
  F[Metric.max_capital_at_risk] = 0;
  for (const [k, v] of Object.entries(values)) F[Metric[k as keyof typeof Metric]] = v;
  return F;
}

describe('guardrail checks', () => {
  it('take their thresholds from the config files, success criteria and risk limits alike', () => {
    const checks = guardrailChecks(cfg);
    expect(checks.map((c) => c.key)).toEqual([
      'guardrails.min_win_rate', 'guardrails.min_profit_factor', 'guardrails.max_drawdown', 'guardrails.min_expected_profit', 'guardrails.min_total_trades',
      'guardrails.min_exposure', 'signal_routing.time_series.max_risk_score', 'signal_routing.time_series.capital_at_risk_per_trade',
    ]);
    expect(checks.find((c) => c.key === 'guardrails.max_drawdown')!.threshold).toBe(g.max_drawdown);
    expect(checks.find((c) => c.metric === 'max_capital_at_risk')!.threshold).toBe(cfg.signalRouting.signal_routing.time_series.capital_at_risk_per_trade);
  });

  it('a row exactly at every threshold is feasible; each breach adds g / (1 + g) of its relative shortfall g', () => {
    const checks = guardrailChecks(cfg);
    const bounded = (gap: number) => gap / (1 + gap);
    expect(guardrailViolation(checks, row({}), 0)).toBe(0);
    // Drawdown 0.1 over the limit, relative to the limit itself.
    const dd = row({ max_drawdown: g.max_drawdown + 0.1 });
    expect(guardrailViolation(checks, dd, 0)).toBeCloseTo(bounded(0.1 / g.max_drawdown), 12);
    expect(failedGuardrails(checks, dd, 0)).toEqual(['guardrails.max_drawdown']);
    // One trade short of the minimum.
    expect(guardrailViolation(checks, row({ total_trades: g.min_total_trades - 1 }), 0)).toBeCloseTo(bounded(1 / g.min_total_trades), 12);
    // An undefined win rate counts a full unit.
    expect(guardrailViolation(checks, row({ win_rate: NaN }), 0)).toBe(1);
    // A profit 5% of the initial capital below the floor counts 0.05 / 1.05: profit is scaled by the capital.
    const capital = cfg.strategy.simulation.initial_capital;
    expect(guardrailViolation(checks, row({ total_profit: g.min_expected_profit - 0.05 * capital }), 0)).toBeCloseTo(bounded(0.05), 12);
    // Exposure 0.04 under a minimum of 0.1: relative shortfall 0.4.
    const exposed = guardrailChecks(loadConfig({ dir: configDirWith('quant_success_config.yml', (d) => d.setIn(['guardrails', 'min_exposure'], 0.1)) }));
    expect(guardrailViolation(exposed, row({ exposure: 0.06 }), 0)).toBeCloseTo(bounded(0.4), 12);
    expect(failedGuardrails(exposed, row({ exposure: 0.06 }), 0)).toEqual(['guardrails.min_exposure']);
  });

  it('count a candidate without trades as failing min_total_trades by the number of checks, even at a threshold of 0', () => {
    const checks = guardrailChecks(cfg);
    const none = row({ win_rate: NaN, profit_factor: NaN, total_trades: 0 });
    expect(guardrailViolation(checks, none, 0)).toBe(checks.length + 2);
    expect(failedGuardrails(checks, none, 0)).toEqual(['guardrails.min_win_rate', 'guardrails.min_profit_factor', 'guardrails.min_total_trades']);
    const zero = guardrailChecks(loadConfig({ dir: configDirWith('quant_success_config.yml', (d) => d.setIn(['guardrails', 'min_total_trades'], 0)) }));
    expect(failedGuardrails(zero, row({ total_trades: 0 }), 0)).toEqual(['guardrails.min_total_trades']);
    expect(failedGuardrails(zero, row({ total_trades: 1 }), 0)).toEqual([]);
  });

  it('give no row with trades a violation as large as a row without (property)', () => {
    const checks = guardrailChecks(cfg);
    const metric = fc.oneof(fc.constant(NaN), fc.constant(Infinity), fc.constant(-Infinity), fc.double({ min: -1e12, max: 1e12, noNaN: true }));
    fc.assert(
      fc.property(fc.array(metric, { minLength: METRIC_COUNT, maxLength: METRIC_COUNT }), fc.integer({ min: 1, max: 10_000 }), (values, trades) => {
        const traded = Float64Array.from(values);
        traded[Metric.total_trades] = trades;
        const idle = Float64Array.from(values);
        idle[Metric.total_trades] = 0;
        expect(guardrailViolation(checks, traded, 0)).toBeLessThan(checks.length);
        expect(guardrailViolation(checks, idle, 0)).toBeGreaterThanOrEqual(checks.length);
      }),
    );
  });

  it('never pass a candidate that breaks the capital-at-risk guardrail, an all-in position without a stop included', () => {
    const checks = guardrailChecks(cfg);
    expect(failedGuardrails(checks, row({ max_capital_at_risk: 1 }), 0)).toEqual(['signal_routing.time_series.capital_at_risk_per_trade']);
    const car = cfg.signalRouting.signal_routing.time_series.capital_at_risk_per_trade;
    // 50% over the limit: g = 0.5, counted 0.5 / 1.5.
    expect(guardrailViolation(checks, row({ max_capital_at_risk: car * 1.5 }), 0)).toBeCloseTo(1 / 3, 12);
  });
});
