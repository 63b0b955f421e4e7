/**
 * Basket choice as a search dimension (issue 17): on a basket where every forecast says "up" but
 * one ticker falls, the search finds that leaving it out pays. Two tickers drift up, one down
 * (daily drift +0.2% / -0.3%, noise 1%); every model forecasts +1% a bar for each, confidently,
 * so whatever is in the basket is bought. A seeded search over the whole ts_ensemble space (LHS,
 * the feasible-region repair included) must rank a basket without the falling ticker first, and
 * leaving it out must raise total_return row for row.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC_COUNT, Metric } from '../../native-free-kernels/portfolio/metrics.js';
import { basketParam, paramLayout, type ParamLayout } from '../../src/config/param-layout.js';
import { toShared } from '../../src/data/shared.js';
import type { Panel } from '../../src/data/types.js';
import { createRng } from '../../src/rng.js';
import { decodePoints } from '../../src/search/encoding.js';
import { runSearch, searchSpace } from '../../src/search/optimize.js';
import { atrColumns, createContext, derivedColumns } from '../../src/simulation/context.js';
import { createEvaluator, type BatchEvaluator } from '../../src/simulation/evaluator.js';
import { configuredModels, type ForecastColumns } from '../../src/simulation/forecast-columns.js';
import { testConfig } from '../helpers/config.js';

const cfg = testConfig();
const MODELS = configuredModels(cfg.strategy.forecast_models);
/** The falling ticker first: in ticker order it is sized first, so a basket holding it trades it. */
const DRIFTS = [-0.003, 0.002, 0.002];
const TICKERS = ['DOWN', 'UP1', 'UP2'];
const T = 300;
const BUDGET = 256;

let layout: ParamLayout;
let evaluator: BatchEvaluator;

beforeAll(() => {
  const rng = createRng(29, 'basket-choice');
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const closes = DRIFTS.map((mu) => {
    let c = 100;
    return Array.from({ length: T }, (_, t) => (t === 0 ? c : (c *= Math.exp(mu + 0.01 * gauss()))));
  });
  const col = (pick: (c: number[], t: number) => number) => toShared(closes.flatMap((c) => c.map((_, t) => pick(c, t))));
  const open = (c: number[], t: number) => (t === 0 ? c[0] : c[t - 1]);
  const panel: Panel = {
    tickers: TICKERS, T, time: toShared(Array.from({ length: T }, (_, t) => Date.UTC(2020, 0, 1) + t * 86_400_000)),
    open: col(open), close: col((c, t) => c[t]), high: col((c, t) => Math.max(open(c, t), c[t]) * 1.002), low: col((c, t) => Math.min(open(c, t), c[t]) * 0.998), volume: col(() => 1e6),
  };
  const forecasts: ForecastColumns = { models: MODELS, K: 3, T, mu: toShared(new Array(MODELS.length * 3 * T).fill(0.01)), sigma: toShared(new Array(MODELS.length * 3 * T).fill(0.005)) };
  layout = paramLayout(cfg, 'ts_ensemble', panel.tickers);
  const atrSpec = layout.params[layout.column.get('atr_window')!].spec;
  if (atrSpec.type !== 'int') throw new Error('atr_window must be an int parameter');
  const ts = cfg.signalRouting.signal_routing.time_series;
  const rp = cfg.strategy.diversification.risk_parity;
  const ctx = createContext(panel, derivedColumns(panel, { assetClassOf: () => 'equity' }), forecasts, atrColumns(panel, atrSpec.low, atrSpec.high), {
    initialCapital: 1e6, periodsPerYear: 252, fee: 0.0005, start: 100, end: T, maxGrossExposure: 1,
    minExpectedReturn: ts.min_expected_return, confidenceThreshold: ts.confidence_threshold, capitalAtRiskPerTrade: ts.capital_at_risk_per_trade,
    noStopAdverseMoveSd: ts.no_stop_adverse_move_sd, noStopHorizonBars: ts.no_stop_horizon_bars, noStopVolLookback: ts.no_stop_vol_lookback,
    correlationLookback: cfg.strategy.diversification.correlation_lookback,
    riskParity: { covLookback: rp.cov_lookback, shrinkage: rp.shrinkage, maxIterations: rp.max_iterations, tolerance: rp.tolerance },
  });
  evaluator = createEvaluator(layout, ctx);
});

const col = (ticker: string) => layout.column.get(basketParam(ticker))!;

describe('basket choice on two rising tickers and a falling one, all forecast to rise', () => {
  it('the search ranks a basket without the falling ticker first', async () => {
    const d = layout.params.length;
    const settings = { ...cfg.strategy.optimizer, objectives: [{ metric: 'total_return' as const, direction: 'maximize' as const }], primary_objective: 'total_return' as const };
    const X = new Float64Array(cfg.strategy.optimizer.sampling.batch_size * d);
    const F = new Float64Array(cfg.strategy.optimizer.sampling.batch_size * METRIC_COUNT);
    const result = await runSearch({
      optimizer: 'lhs', spaces: [searchSpace(layout)], budget: { maxCandidates: BUDGET, maxWallMs: Infinity }, seed: 5, settings,
      evaluate: (U, n) => {
        decodePoints(layout, U, n, X);
        evaluator.evaluate(X, n, F);
        const obj = Float64Array.from({ length: n }, (_, i) => -F[i * METRIC_COUNT + Metric.total_return]);
        return Promise.resolve({ F: obj, violation: new Float64Array(n) });
      },
    });
    expect(result.n).toBe(BUDGET);
    const rows = new Float64Array(result.n * d);
    decodePoints(layout, result.U, result.n, rows);
    const downIn = (i: number) => rows[i * d + col('DOWN')] === 0;
    // Both kinds of basket were searched (the repair keeps every point at one ticker or more).
    const withDown = Array.from({ length: result.n }, (_, i) => i).filter(downIn).length;
    expect(withDown).toBeGreaterThan(BUDGET / 4);
    expect(withDown).toBeLessThan((3 * BUDGET) / 4);
    expect(downIn(result.best)).toBe(false);
    expect(rows[result.best * d + col('UP1')] === 0 || rows[result.best * d + col('UP2')] === 0).toBe(true);
  });

  it('leaving the falling ticker out raises total_return in most rows that trade it, and on average', () => {
    const d = layout.params.length;
    const n = 64;
    const rng = createRng(41, 'basket-choice-rows');
    const U = new Float64Array(2 * n * d);
    for (let i = 0; i < n; i++) {
      // Row 2i holds all three, row 2i + 1 is the same row with DOWN left out (u < 0.5: on).
      for (let j = 0; j < d; j++) U[2 * i * d + j] = rng();
      for (const t of TICKERS) U[2 * i * d + col(t)] = 0.25;
      U.copyWithin((2 * i + 1) * d, 2 * i * d, (2 * i + 1) * d);
      U[(2 * i + 1) * d + col('DOWN')] = 0.75;
    }
    const X = new Float64Array(2 * n * d);
    decodePoints(layout, U, 2 * n, X);
    const F = new Float64Array(2 * n * METRIC_COUNT);
    evaluator.evaluate(X, 2 * n, F);
    let compared = 0, better = 0, gain = 0;
    for (let i = 0; i < n; i++) {
      const all = F[2 * i * METRIC_COUNT + Metric.total_return];
      const without = F[(2 * i + 1) * METRIC_COUNT + Metric.total_return];
      if (all === without) continue; // the row never bought DOWN (filtered signal, caps)
      compared++;
      // (A row whose stop or take-profit catches a bounce can gain from DOWN: most do not.)
      if (without > all) better++;
      gain += without - all;
    }
    expect(compared).toBeGreaterThan(n / 2);
    expect(better).toBeGreaterThan(0.8 * compared);
    expect(gain / compared).toBeGreaterThan(0.01);
  });
});
