/** Small in-memory panels for simulator tests. */
import { toShared } from '../../src/data/shared.js';
import type { Panel } from '../../src/data/types.js';
import { settingsFromConfig } from '../../src/simulation/build-context.js';
import type { ParamLayout } from '../../src/config/param-layout.js';
import { atrColumns, createContext, derivedColumns, type SimulationContext, type SimulationSettings } from '../../src/simulation/context.js';
import { configuredModels, type ForecastColumns } from '../../src/simulation/forecast-columns.js';
import { testConfig } from './config.js';

/** A one-ticker panel from open/close (high/low bracket them, unit volume, daily timestamps). */
export function panelFromOpenClose(open: readonly number[], close: readonly number[], ticker = 'TEST'): Panel {
  const T = close.length;
  return {
    tickers: [ticker],
    T,
    time: toShared(Array.from({ length: T }, (_, t) => Date.UTC(2020, 0, 1) + t * 86_400_000)),
    open: toShared(open),
    high: toShared(open.map((o, t) => Math.max(o, close[t]))),
    low: toShared(open.map((o, t) => Math.min(o, close[t]))),
    close: toShared(close),
    volume: toShared(new Array<number>(T).fill(1)),
  };
}

/** A seeded geometric random walk of `T` bars (opens gap from the previous close). */
export function randomWalk(T: number, rand: () => number, vol = 0.02): { open: number[]; close: number[] } {
  const open: number[] = [];
  const close: number[] = [];
  let c = 100;
  for (let t = 0; t < T; t++) {
    const o = c * Math.exp(vol * 0.3 * (rand() - 0.5));
    c = o * Math.exp(vol * (rand() - 0.5) * 2);
    open.push(o);
    close.push(c);
  }
  return { open, close };
}

/** An sma_cross context on `panel` (no forecasts, no ATR), settings from config overridden by `over`. */
export function contextFor(panel: Panel, over: Partial<SimulationSettings> = {}): SimulationContext {
  const cfg = testConfig();
  const derived = derivedColumns(panel, { assetClassOf: () => 'equity' });
  return createContext(panel, derived, null, null, { ...settingsFromConfig(cfg, 0, panel.T), ...over });
}

/**
 * A basket panel from each ticker's closes: opens at the previous close, high/low `band` (a
 * fraction) beyond the body, volume 1e6, daily timestamps.
 */
export function panelFromCloses(tickers: readonly string[], closes: readonly (readonly number[])[], band: number): Panel {
  const T = closes[0].length;
  const open = (c: readonly number[], t: number) => (t === 0 ? c[0] : c[t - 1]);
  const col = (pick: (c: readonly number[], t: number) => number) => toShared(closes.flatMap((c) => c.map((_, t) => pick(c, t))));
  return {
    tickers: [...tickers], T, time: toShared(Array.from({ length: T }, (_, t) => Date.UTC(2020, 0, 1) + t * 86_400_000)),
    open: col(open), close: col((c, t) => c[t]), high: col((c, t) => Math.max(open(c, t), c[t]) * (1 + band)), low: col((c, t) => Math.min(open(c, t), c[t]) * (1 - band)),
    volume: col(() => 1e6),
  };
}

/**
 * A time-series context on `panel` in which every model forecasts `mu` a bar with sigma `sigma` for
 * every ticker (one asset class), the ATR windows of `layout`, the guardrails and diversification
 * settings of the test config, overridden by `over`.
 */
export function constantForecastContext(layout: ParamLayout, panel: Panel, mu: number, sigma: number, over: Partial<SimulationSettings>): SimulationContext {
  const cfg = testConfig();
  const models = configuredModels(cfg.strategy.forecast_models);
  const n = models.length * panel.tickers.length * panel.T;
  const forecasts: ForecastColumns = { models, K: panel.tickers.length, T: panel.T, mu: toShared(new Array<number>(n).fill(mu)), sigma: toShared(new Array<number>(n).fill(sigma)) };
  const atrSpec = layout.params[layout.column.get('atr_window')!].spec;
  if (atrSpec.type !== 'int') throw new Error('atr_window must be an int parameter');
  const ts = cfg.signalRouting.signal_routing.time_series;
  const rp = cfg.strategy.diversification.risk_parity;
  return createContext(panel, derivedColumns(panel, { assetClassOf: () => 'equity' }), forecasts, atrColumns(panel, atrSpec.low, atrSpec.high), {
    initialCapital: cfg.strategy.simulation.initial_capital, periodsPerYear: cfg.strategy.simulation.periods_per_year, fee: cfg.strategy.simulation.fee_bps / 1e4,
    start: 0, end: panel.T, maxGrossExposure: cfg.strategy.simulation.max_gross_exposure,
    minExpectedReturn: ts.min_expected_return, confidenceThreshold: ts.confidence_threshold, capitalAtRiskPerTrade: ts.capital_at_risk_per_trade,
    noStopAdverseMoveSd: ts.no_stop_adverse_move_sd, noStopHorizonBars: ts.no_stop_horizon_bars, noStopVolLookback: ts.no_stop_vol_lookback,
    correlationLookback: cfg.strategy.diversification.correlation_lookback,
    riskParity: { covLookback: rp.cov_lookback, shrinkage: rp.shrinkage, maxIterations: rp.max_iterations, tolerance: rp.tolerance },
    ...over,
  });
}
