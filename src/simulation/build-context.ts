/**
 * From config + data to a `SimulationContext`: derived columns, ATR columns, and for the
 * time-series families the cached causal forecast columns (computed once per data set and model
 * config, never per candidate); then one context per traded window over the same columns.
 */
import { resolve } from 'node:path';
import { loadOrComputeForecasts } from '../cache/forecast-cache.js';
import type { PnloptConfig } from '../config/load.js';
import { sha256 } from '../hashing.js';
import type { KernelName } from '../config/strategy-optimization.js';
import type { Panel } from '../data/types.js';
import { forecastCodeVersion } from './forecast-code-version.js';
import { atrColumns, createContext, derivedColumns, type AtrColumns, type DerivedColumns, type SimulationContext, type SimulationSettings } from './context.js';
import type { ParamLayout } from './param-layout.js';
import { computeForecastColumns, type ForecastColumns } from './forecast-columns.js';

/** Kernels that read forecast columns. */
export function needsForecasts(kernel: KernelName): boolean {
  return kernel !== 'sma_cross';
}

/** A traded window [start, end) on the panel calendar, and an optional fee override (`--fee-bps`). */
export interface WindowRequest {
  readonly start: number;
  readonly end: number;
  readonly feeBps?: number | undefined;
}

/** What a family's candidates share on one data set, whatever the window: computed once. */
export interface FamilyData {
  readonly panel: Panel;
  readonly derived: DerivedColumns;
  readonly forecasts: ForecastColumns | null;
  readonly atr: AtrColumns | null;
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

/**
 * Derived columns, forecast columns (time-series families, from the cache) and the ATR columns of
 * the family's `atr_window` range, for `panel` (whose source data hashes to `dataHash`).
 */
export async function prepareFamilyData(
  cfg: PnloptConfig,
  layout: ParamLayout,
  panel: Panel,
  dataHash: string,
  /** Derived columns already made for this panel (by another family of the same job). */
  derivedBefore?: DerivedColumns,
): Promise<FamilyData> {
  const classes = cfg.strategy.asset_classes;
  const derived =
    derivedBefore ??
    derivedColumns(panel, {
      correlationLookback: cfg.strategy.diversification.correlation_lookback,
      assetClassOf: (t) => classes.tickers[t] ?? classes.default_asset_class,
    });
  let forecasts: ForecastColumns | null = null;
  if (needsForecasts(layout.kernel)) {
    const panelHash = sha256(`${dataHash}/${panel.tickers.join(',')}/${panel.T}`);
    forecasts = await loadOrComputeForecasts(panel, panelHash, cfg.strategy.forecast_models, cacheDir(cfg), computeForecastColumns, forecastCodeVersion());
  }
  const atrSpec = layout.params[layout.column.get('atr_window') ?? -1]?.spec;
  const atr = atrSpec?.type === 'int' ? atrColumns(panel, atrSpec.low, atrSpec.high) : null;
  return { panel, derived, forecasts, atr };
}

/** The context of one window over prepared family data. */
export function contextFor(cfg: PnloptConfig, data: FamilyData, w: WindowRequest): SimulationContext {
  return createContext(data.panel, data.derived, data.forecasts, data.atr, settingsFromConfig(cfg, w.start, w.end, w.feeBps));
}

/** Prepare the family's data and the context of one window. */
export async function buildContext(cfg: PnloptConfig, layout: ParamLayout, panel: Panel, dataHash: string, w: WindowRequest): Promise<SimulationContext> {
  return contextFor(cfg, await prepareFamilyData(cfg, layout, panel, dataHash), w);
}

/** `runtime.cache_dir`, relative to the working directory. */
function cacheDir(cfg: PnloptConfig): string {
  return resolve(cfg.runtime.runtime.cache_dir);
}
