/**
 * From config + data to a `SimulationContext`: derived columns, and for the time-series families
 * the cached causal forecast columns (computed once per data set and model config, never per
 * candidate).
 */
import { resolve } from 'node:path';
import { loadOrComputeForecasts } from '../cache/forecast-cache.js';
import type { PnloptConfig } from '../config/load.js';
import { sha256 } from '../hashing.js';
import type { KernelName } from '../config/strategy-optimization.js';
import type { Panel } from '../data/types.js';
import { codeVersion } from '../paths.js';
import { createContext, derivedColumns, type SimulationContext, type SimulationSettings } from './context.js';
import { computeForecastColumns, type ForecastColumns } from './forecast-columns.js';

/** Kernels that read forecast columns. */
export function needsForecasts(kernel: KernelName): boolean {
  return kernel !== 'sma_cross';
}

export interface ContextRequest {
  /** Traded window [start, end) on the panel calendar. */
  start: number;
  end: number;
  /** Overrides `simulation.fee_bps`. */
  feeBps?: number;
  /** Compute (or load) forecast columns. */
  forecasts: boolean;
}

/** Batch-wide settings and guardrails from config for a window. */
export function settingsFromConfig(cfg: PnloptConfig, start: number, end: number, feeBps?: number): SimulationSettings {
  const sim = cfg.strategy.simulation;
  const ts = cfg.signalRouting.signal_routing.time_series;
  return {
    initialCapital: sim.initial_capital,
    periodsPerYear: sim.periods_per_year,
    fee: (feeBps ?? sim.fee_bps) / 1e4,
    start,
    end,
    maxGrossExposure: sim.max_gross_exposure,
    minExpectedReturn: ts.min_expected_return,
    confidenceThreshold: ts.confidence_threshold,
    capitalAtRiskPerTrade: ts.capital_at_risk_per_trade,
  };
}

/** A context for `panel` (whose source data hashes to `dataHash`). */
export async function buildContext(cfg: PnloptConfig, panel: Panel, dataHash: string, req: ContextRequest): Promise<SimulationContext> {
  const classes = cfg.strategy.asset_classes;
  const derived = derivedColumns(panel, {
    correlationLookback: cfg.strategy.diversification.correlation_lookback,
    assetClassOf: (t) => classes.tickers[t] ?? classes.default_asset_class,
  });
  let forecasts: ForecastColumns | null = null;
  if (req.forecasts) {
    const panelHash = sha256(`${dataHash}/${panel.tickers.join(',')}/${panel.T}`);
    forecasts = await loadOrComputeForecasts(panel, panelHash, cfg.strategy.forecast_models, cacheDir(cfg), computeForecastColumns, codeVersion());
  }
  return createContext(panel, derived, forecasts, settingsFromConfig(cfg, req.start, req.end, req.feeBps));
}

/** `runtime.cache_dir`, relative to the working directory. */
function cacheDir(cfg: PnloptConfig): string {
  return resolve(cfg.runtime.runtime.cache_dir);
}
