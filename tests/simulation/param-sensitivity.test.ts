/**
 * Every parameter a kernel reads can change a metric (issue 11), so none can silently become dead
 * again: `checkFamilies` (check.test.ts) makes every searched parameter one the kernel `reads`,
 * and this test shows each read changes some metric on real data.
 *
 * For every registered kernel and each config family on it, and every parameter in `reads` of the
 * test config: from seeded base points of the family's unit cube, the parameter is switched
 * on (its `when` categoricals set to an activating choice) and set to each of its values (every
 * choice; low, middle and high of a range); some base point must give two values different metric
 * rows. The base points are drawn, not written per parameter, so a new parameter is covered as is;
 * so are the basket columns (one per ticker of the two-ticker panel).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/portfolio/metrics.js';
import { basketParam, paramLayout, rowProblems, isActive, type ParamLayout } from '../../src/config/param-layout.js';
import { loadMarketData } from '../../src/data/load.js';
import { alignPanel } from '../../src/data/panel.js';
import { sharedFloat64 } from '../../src/data/shared.js';
import type { Panel } from '../../src/data/types.js';
import { decodePoints, encodeValue } from '../../src/search/encoding.js';
import { createSampler } from '../../src/search/sampler.js';
import { contextFor, prepareFamilyData } from '../../src/simulation/build-context.js';
import { createEvaluator, type BatchEvaluator } from '../../src/simulation/evaluator.js';
import { FAMILY_MODULES } from '../../src/simulation/families/index.js';
import { computeForecastColumns, configuredModels, type ForecastColumns } from '../../src/simulation/forecast-columns.js';
import { testConfig } from '../helpers/config.js';

const cfg = testConfig();
const MODELS = configuredModels(cfg.strategy.forecast_models);
/** Kernels that trade one series (sma_cross refuses more): they get the first ticker alone. */
const ONE_SERIES: ReadonlySet<string> = new Set(['sma_cross']);
/** Bars per ticker: the S&P 500 default data from 2000 (forecast warm-up, then ~3 years traded). */
const T = 1000;
/** The second ticker: the same data from bar 2000 (2008 on), put on the first one's calendar. */
const SECOND_FROM = 2000;
/**
 * Base points per family: a scrambled Sobol sequence, spread over the cube more evenly than
 * independent draws. The scan stops at the first base point that shows a difference, so this only
 * bounds the cost of a dead parameter. The rarest live one is kelly_fraction, which moves a metric
 * at about 1 base point in 20 (the Kelly weight mostly exceeds kelly_cap or the capital-at-risk
 * cap, so the fraction rarely binds).
 */
const BASE_POINTS = 128;
const SEED = 20261126;

/**
 * Real OHLCV, one ticker or two: the diversification penalty and the class cap need two (here two
 * stretches of the S&P 500, correlated only by chance). Forecasts are for the two-ticker panel.
 */
let panels: { one: Panel; two: Panel; hash: string };
let forecasts: ForecastColumns;

beforeAll(() => {
  const data = loadMarketData([join(import.meta.dirname, '..', '..', 'data', 'sp500_daily_ohlcv_2000_2020.csv')]);
  const whole = alignPanel(data);
  const cols = (a: Float64Array, froms: readonly number[]) => {
    const out = sharedFloat64(froms.length * T);
    froms.forEach((from, k) => out.set(a.subarray(from, from + T), k * T));
    return out;
  };
  const panel = (tickers: string[], froms: number[]): Panel => ({
    tickers, T, time: whole.time.subarray(0, T),
    open: cols(whole.open, froms), high: cols(whole.high, froms), low: cols(whole.low, froms), close: cols(whole.close, froms), volume: cols(whole.volume, froms),
  });
  panels = { one: panel(['SPX2000'], [0]), two: panel(['SPX2000', 'SPX2008'], [0, SECOND_FROM]), hash: data.hash };
  forecasts = computeForecastColumns(panels.two, cfg.strategy.forecast_models);
});

/** Whether two metric rows differ in some column (NaN equals NaN). */
function differ(F: Float64Array, a: number, b: number): boolean {
  for (let c = 0; c < METRIC_COUNT; c++) {
    const x = F[a * METRIC_COUNT + c];
    const y = F[b * METRIC_COUNT + c];
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return true;
  }
  return false;
}

/** Unit coordinates of every value tried for parameter j: each choice, or low, middle and high. */
function trials(layout: ParamLayout, j: number): number[] {
  const spec = layout.params[j].spec;
  if (spec.type === 'categorical') return spec.choices.map((_, k) => (k + 0.5) / spec.choices.length);
  return [encodeValue(spec, spec.low), 0.5, encodeValue(spec, spec.high)];
}

/**
 * Whether parameter `name` changes a metric at some base point: at each, the parameter is made
 * active and takes every trial value (rows breaking a constraint are dropped).
 */
function sensitive(layout: ParamLayout, evaluator: BatchEvaluator, name: string, bases: readonly Float64Array[]): boolean {
  const d = layout.params.length;
  const j = layout.column.get(name)!;
  const values = trials(layout, j);
  const U = new Float64Array(values.length * d);
  const X = new Float64Array(values.length * d);
  const F = new Float64Array(values.length * METRIC_COUNT);
  for (const base of bases) {
    values.forEach((v, i) => {
      U.set(base, i * d);
      for (const c of layout.conditions[j]) {
        const dep = layout.params[c.col].spec;
        if (dep.type === 'categorical') U[i * d + c.col] = (c.allowed[0] + 0.5) / dep.choices.length;
      }
      U[i * d + j] = v;
    });
    decodePoints(layout, U, values.length, X);
    const ok = values.map((_, i) => isActive(layout, j, X, i * d) && rowProblems(layout, X, i * d).length === 0);
    // Valid rows packed to the front, then evaluated in one batch.
    let n = 0;
    ok.forEach((good, i) => {
      if (good) X.copyWithin(n++ * d, i * d, (i + 1) * d);
    });
    if (n < 2) continue;
    evaluator.evaluate(X, n, F);
    for (let i = 1; i < n; i++) if (differ(F, 0, i)) return true;
  }
  return false;
}

describe('every parameter a kernel reads changes some metric (default config, real data)', () => {
  for (const m of FAMILY_MODULES) {
    it(`kernel ${m.kernel}`, async () => {
      const families = Object.entries(cfg.strategy.families).filter(([, f]) => f.kernel === m.kernel).map(([name]) => name);
      expect(families, `no family of the test config runs kernel ${m.kernel}`).not.toEqual([]);
      for (const family of families) {
        const panel = ONE_SERIES.has(m.kernel) ? panels.one : panels.two;
        const layout = paramLayout(cfg, family, panel.tickers);
        const familyData = await prepareFamilyData(cfg, layout, panel, panels.hash, () => Promise.resolve(forecasts));
        const evaluator = createEvaluator(layout, contextFor(cfg, familyData, { start: cfg.strategy.evaluation.warmup_bars, end: T }));
        const d = layout.params.length;
        const U = new Float64Array(BASE_POINTS * d);
        createSampler('sobol', { dims: d, seed: SEED, stream: ['param-sensitivity', family], maximinIterations: 0, scramble: true }).sample(BASE_POINTS, U);
        const bases = Array.from({ length: BASE_POINTS }, (_, b) => U.subarray(b * d, (b + 1) * d));
        // With the basket columns of the two-ticker panel: leaving either ticker out must change a result.
        const searched = [...m.reads(MODELS), ...(layout.basket?.tickers.map(basketParam) ?? [])];
        if (cfg.strategy.families[family].basket) expect(layout.basket, `${family}: a basket family on two tickers has basket columns`).not.toBeNull();
        const dead = searched.filter((name) => !sensitive(layout, evaluator, name, bases));
        expect(dead, `${family}: no metric (${METRIC_NAMES.length} columns) moves with these parameters at any of ${BASE_POINTS} base points`).toEqual([]);
      }
    });
  }
});
