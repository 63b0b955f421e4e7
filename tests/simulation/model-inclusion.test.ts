/**
 * Model inclusion (issue 17): each forecast model has an on/off switch (`use_<model>`) and a weight
 * that exists only when the model is in (`w_<model>`, `when: { use_<model>: on }`). The ts decoder
 * (src/simulation/ts-evaluator.ts) gives an excluded model weight 0 and never hands the kernel a
 * NaN weight (an inactive weight decodes as NaN). On real data: a row with a model off equals the
 * same row with the model on at weight 0; every model off leaves ts_ensemble flat and
 * ts_with_fallback on its rule.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Metric, METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import { TsParam } from '../../native-free-kernels/portfolio/ts-portfolio.js';
import { encodeNamedValues, isActive, paramLayout, type ParamLayout } from '../../src/config/param-layout.js';
import { loadMarketData } from '../../src/data/load.js';
import { alignPanel } from '../../src/data/panel.js';
import type { Panel } from '../../src/data/types.js';
import { decodePoints } from '../../src/search/encoding.js';
import { contextFor, prepareFamilyData } from '../../src/simulation/build-context.js';
import { createEvaluator, type BatchEvaluator } from '../../src/simulation/evaluator.js';
import { computeForecastColumns, configuredModels, type ForecastColumns } from '../../src/simulation/forecast-columns.js';
import { useParam, weightParam } from '../../src/simulation/ts-evaluator.js';
import { testConfig } from '../helpers/config.js';

/** Every parameter vector the kernel receives, copied at the call (the real kernel then runs). */
const seen = vi.hoisted(() => ({ p: [] as Float64Array[] }));
vi.mock('../../native-free-kernels/portfolio/ts-portfolio.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../native-free-kernels/portfolio/ts-portfolio.js')>();
  return {
    ...real,
    tsPortfolio: (...args: Parameters<typeof real.tsPortfolio>) => {
      seen.p.push(args[2].slice());
      return real.tsPortfolio(...args);
    },
  };
});

const cfg = testConfig();
const MODELS = configuredModels(cfg.strategy.forecast_models);
const FAMILIES = ['ts_ensemble', 'ts_with_fallback'] as const;
/** The S&P 500 default data from 2000: the forecast warm-up, then ~3 years traded. */
const T = 1000;

let panel: Panel;
let hash: string;
let forecasts: ForecastColumns;
const setups = new Map<string, { layout: ParamLayout; evaluator: BatchEvaluator }>();

beforeAll(async () => {
  const data = loadMarketData([join(import.meta.dirname, '..', '..', 'data', 'sp500_daily_ohlcv_2000_2020.csv')]);
  const whole = alignPanel(data);
  const head = (a: Float64Array) => a.subarray(0, T);
  panel = { tickers: whole.tickers, T, time: head(whole.time), open: head(whole.open), high: head(whole.high), low: head(whole.low), close: head(whole.close), volume: head(whole.volume) };
  hash = data.hash;
  forecasts = computeForecastColumns(panel, cfg.strategy.forecast_models);
  for (const family of FAMILIES) {
    const layout = paramLayout(cfg, family, panel.tickers);
    const familyData = await prepareFamilyData(cfg, layout, panel, hash, () => Promise.resolve(forecasts));
    setups.set(family, { layout, evaluator: createEvaluator(layout, contextFor(cfg, familyData, { start: cfg.strategy.evaluation.warmup_bars, end: T })) });
  }
});

/** Metric rows of `n` parameter rows. */
function metricsOf(evaluator: BatchEvaluator, X: Float64Array, n: number): Float64Array {
  const F = new Float64Array(n * METRIC_COUNT);
  evaluator.evaluate(X, n, F);
  return F;
}

/** Choice index of `value` in categorical parameter `name`. */
function choice(layout: ParamLayout, name: string, value: string): number {
  const spec = layout.params[layout.column.get(name)!].spec;
  if (spec.type !== 'categorical') throw new Error(`${name} is not categorical`);
  return spec.choices.indexOf(value);
}

/** A row decoded from unit coordinates `u`, as the search decodes it (inactive parameters NaN). */
function decoded(layout: ParamLayout, u: readonly number[]): Float64Array {
  const X = new Float64Array(layout.params.length);
  decodePoints(layout, Float64Array.from(u), 1, X);
  return X;
}

/** A valid named row: every model in at weight 1, no stop, fixed positions; `over` on top, `drop` left out. */
function namedRow(layout: ParamLayout, over: Record<string, string> = {}, drop: readonly string[] = []): Float64Array {
  const base: Record<string, string> = {
    direction: 'long_short', noise_filter_k: '0', sizing: 'fixed_fraction', fixed_fraction: '0.5', max_weight_per_ticker: '1',
    max_weight_per_asset_class: '1', diversification_penalty: '0', order_type: 'market', slippage_model: 'fixed_bps', slippage_bps: '2',
    trailing_stop: 'off', take_profit: 'off', fallback_rule: 'momentum', fallback_lookback: '20', fallback_entry_z: '0.5',
  };
  for (const m of MODELS) {
    base[useParam(m)] = 'on';
    base[weightParam(m)] = '1';
  }
  const named = new Map(Object.entries({ ...base, ...over }).filter(([k]) => layout.column.has(k) && !drop.includes(k)));
  const { row, problems } = encodeNamedValues(layout, named);
  expect(problems).toEqual([]);
  return row;
}

/** Every model switched off: the switches, and the weights that then do not exist. */
const ALL_OFF = Object.fromEntries(MODELS.map((m) => [useParam(m), 'off']));
const NO_WEIGHTS = MODELS.map(weightParam);

describe('model inclusion: the use_<model> switches', () => {
  it('a model switched off gives the same metrics, bit for bit, as the model on at weight 0 (property over decoded rows)', () => {
    for (const family of FAMILIES) {
      const { layout, evaluator } = setups.get(family)!;
      const d = layout.params.length;
      let changed = 0;
      fc.assert(
        fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: d, maxLength: d }), fc.constantFrom(...MODELS), (u, m) => {
          const useCol = layout.column.get(useParam(m))!;
          const wCol = layout.column.get(weightParam(m))!;
          const X = new Float64Array(3 * d);
          X.set(decoded(layout, u), 0);
          X[useCol] = choice(layout, useParam(m), 'on');
          if (!(X[wCol] >= 0)) X[wCol] = 0.5; // the weight exists once the model is on
          X.copyWithin(d, 0, d);
          X.copyWithin(2 * d, 0, d);
          X[d + useCol] = choice(layout, useParam(m), 'off');
          X[d + wCol] = NaN; // inactive, as the decoder leaves it
          X[2 * d + wCol] = 0;
          expect(isActive(layout, wCol, X, d)).toBe(false);
          const F = metricsOf(evaluator, X, 3);
          const off = F.subarray(METRIC_COUNT, 2 * METRIC_COUNT);
          const zero = F.subarray(2 * METRIC_COUNT, 3 * METRIC_COUNT);
          expect(Array.from(off)).toEqual(Array.from(zero));
          if (Array.from(F.subarray(0, METRIC_COUNT)).some((v, c) => !Object.is(v, off[c]))) changed++;
        }),
        { numRuns: 40, seed: 1717 },
      );
      // Inclusion matters: dropping a model moves some metric (at about half of these points; at the
      // rest the row trades too little for one model to matter, e.g. under the confidence guardrail).
      expect(changed, family).toBeGreaterThan(0);
    }
  });

  it('every model off: ts_ensemble stays flat, ts_with_fallback trades its rule exactly as with every weight 0', () => {
    const ens = setups.get('ts_ensemble')!;
    const on = metricsOf(ens.evaluator, namedRow(ens.layout), 1);
    expect(on[Metric.total_trades]).toBeGreaterThan(0); // the models do trade this stretch
    const allOff = metricsOf(ens.evaluator, namedRow(ens.layout, ALL_OFF, NO_WEIGHTS), 1);
    expect(allOff[Metric.total_trades]).toBe(0);
    expect(allOff[Metric.total_return]).toBe(0);
    expect(allOff[Metric.exposure]).toBe(0);

    const fb = setups.get('ts_with_fallback')!;
    const zeros = Object.fromEntries(MODELS.map((m) => [weightParam(m), '0']));
    const X = new Float64Array(2 * fb.layout.params.length);
    X.set(namedRow(fb.layout, ALL_OFF, NO_WEIGHTS), 0);
    X.set(namedRow(fb.layout, zeros), fb.layout.params.length);
    const F = metricsOf(fb.evaluator, X, 2);
    expect(F[Metric.total_trades]).toBeGreaterThan(0);
    expect(Array.from(F.subarray(0, METRIC_COUNT))).toEqual(Array.from(F.subarray(METRIC_COUNT)));
  });

  it('hands the kernel no NaN weight: excluded or inactive weights are 0, included ones as decoded', () => {
    for (const family of FAMILIES) {
      const { layout, evaluator } = setups.get(family)!;
      const d = layout.params.length;
      fc.assert(
        fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: d, maxLength: d }), (u) => {
          const X = decoded(layout, u);
          seen.p.length = 0;
          metricsOf(evaluator, X, 1);
          expect(seen.p).toHaveLength(1);
          MODELS.forEach((m, k) => {
            const w = seen.p[0][TsParam.weights + k];
            const included = X[layout.column.get(useParam(m))!] === choice(layout, useParam(m), 'on');
            expect(w).toBe(included ? X[layout.column.get(weightParam(m))!] : 0);
          });
        }),
        { numRuns: 60, seed: 1718 },
      );
    }
  });
});
