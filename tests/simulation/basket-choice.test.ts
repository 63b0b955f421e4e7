/**
 * Basket choice as a search dimension (issue 17): on a basket where every forecast says "up" but
 * one ticker falls, the search finds that leaving it out pays. Two tickers drift up, one down
 * (daily drift +0.2% / -0.3%, noise 1%); every model forecasts +1% a bar for each, confidently,
 * so whatever is in the basket is bought. A seeded search over the whole ts_ensemble space (LHS,
 * the feasible-region repair included) must rank a basket without the falling ticker first, and
 * leaving it out must raise total_return in most rows that trade it, and on average.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC_COUNT, Metric } from '../../native-free-kernels/portfolio/metrics.js';
import { basketParam, paramLayout, type ParamLayout } from '../../src/config/param-layout.js';
import { createRng } from '../../src/rng.js';
import { decodePoints } from '../../src/search/encoding.js';
import { runSearch, searchSpace } from '../../src/search/optimize.js';
import { createEvaluator, type BatchEvaluator } from '../../src/simulation/evaluator.js';
import { testConfig } from '../helpers/config.js';
import { constantForecastContext, panelFromCloses } from '../helpers/panel.js';

const cfg = testConfig();
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
  const panel = panelFromCloses(TICKERS, closes, 0.002);
  layout = paramLayout(cfg, 'ts_ensemble', panel.tickers);
  // Every model forecasts +1% a bar with sigma 0.5% for every ticker; 100 bars of warm-up.
  evaluator = createEvaluator(layout, constantForecastContext(layout, panel, 0.01, 0.005, { start: 100 }));
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
