/**
 * What an infeasible run reports per guardrail: each failed check's gap in the metric's own units
 * (`guardrailGap`, the `violations` of the least-violating candidates) and the counts kept while
 * rows are scored (`guardrailViolation` with a `GuardrailTally`, the `guardrail_failures` and
 * `binding` of the summary). The whole-run behaviour is in tests/jobs/optimize.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Metric, METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import { guardrailChecks, guardrailGap, guardrailTally, guardrailViolation } from '../../src/search/guardrails.js';
import { testConfig } from '../helpers/config.js';

const cfg = testConfig();
const g = cfg.quantSuccess.guardrails;
const checks = guardrailChecks(cfg);
const at = (key: string) => checks.findIndex((c) => c.key === key);
const WIN = at('guardrails.min_win_rate');
const TRADES = at('guardrails.min_total_trades');
const CAR = at('signal_routing.time_series.capital_at_risk_per_trade');

/** Metric rows that pass every check, then the values under test. */
function rows(...over: Partial<Record<keyof typeof Metric, number>>[]): Float64Array {
  const F = new Float64Array(over.length * METRIC_COUNT);
  over.forEach((values, r) => {
    const o = r * METRIC_COUNT;
    F[o + Metric.win_rate] = g.min_win_rate;
    F[o + Metric.profit_factor] = g.min_profit_factor;
    F[o + Metric.max_drawdown] = g.max_drawdown;
    F[o + Metric.total_profit] = g.min_expected_profit;
    F[o + Metric.total_trades] = g.min_total_trades;
    F[o + Metric.exposure] = g.min_exposure;
    for (const [k, v] of Object.entries(values)) F[o + Metric[k as keyof typeof Metric]] = v;
  });
  return F;
}

describe('guardrail gaps and counts', () => {
  it('a gap is the distance past the limit in the metric units, NaN for an undefined metric, at least one trade without a trade', () => {
    expect(cfg.signalRouting.signal_routing.time_series.capital_at_risk_per_trade).toBe(0.02);
    expect([g.min_win_rate, g.min_total_trades]).toEqual([0.4, 5]);
    const F = rows({ max_capital_at_risk: 0.0612, win_rate: NaN }, { total_trades: 0 }, { win_rate: 0.3, total_trades: 3 });
    // 0.0612 - 0.02 = 0.0412 of equity; 0.4 - 0.3 = 0.1 of trades won; 5 - 3 = 2 trades; 5 trades missing with none at all.
    expect(guardrailGap(checks[CAR], F, 0)).toBeCloseTo(0.0412, 12);
    expect(guardrailGap(checks[WIN], F, 0)).toBeNaN();
    expect(guardrailGap(checks[TRADES], F, METRIC_COUNT)).toBe(5);
    expect(guardrailGap(checks[WIN], F, 2 * METRIC_COUNT)).toBeCloseTo(0.1, 12);
    expect(guardrailGap(checks[TRADES], F, 2 * METRIC_COUNT)).toBe(2);
    for (const c of checks) expect(guardrailGap(c, rows({}), 0), c.key).toBe(0);
    // With a zero threshold a candidate without a trade still fails, by one trade.
    expect(guardrailGap({ ...checks[TRADES], threshold: 0 }, F, METRIC_COUNT)).toBe(1);
  });

  it('a tally counts each failed check once per row and keeps the smallest gap, without changing the violation', () => {
    const F = rows({ max_capital_at_risk: 0.0612, win_rate: NaN }, { total_trades: 0 }, { win_rate: 0.3, max_capital_at_risk: 0.05 }, {});
    const tally = guardrailTally(checks);
    for (let r = 0; r < 4; r++) {
      expect(guardrailViolation(checks, F, r * METRIC_COUNT, tally)).toBe(guardrailViolation(checks, F, r * METRIC_COUNT));
    }
    const failed = new Float64Array(checks.length);
    failed[WIN] = 2; // rows 0 (undefined) and 2
    failed[TRADES] = 1; // row 1
    failed[CAR] = 2; // rows 0 and 2
    expect(tally.failed).toEqual(failed);
    // Smallest gaps: win rate 0.1 (row 2; the undefined one has none), trades 5, capital at risk 0.05 - 0.02 = 0.03.
    expect(tally.leastGap[WIN]).toBeCloseTo(0.1, 12);
    expect(tally.leastGap[TRADES]).toBe(5);
    expect(tally.leastGap[CAR]).toBeCloseTo(0.03, 12);
    expect(tally.leastGap.filter((v, k) => failed[k] === 0 && v === Infinity)).toHaveLength(checks.length - 3);
  });
});
