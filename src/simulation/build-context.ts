/**
 * From config + data to a `SimulationContext`: derived columns, ATR columns, and for the families
 * that need them the causal forecast columns (from an injected source: the jobs pass the cache,
 * computed once per data set and model config, never per candidate); then one context per traded
 * window over the same columns. What a family needs comes from its registry module.
 */
import type { PnloptConfig } from '../config/load.js';
import type { ParamLayout } from '../config/param-layout.js';
import type { Panel } from '../data/types.js';
import { sha256 } from '../hashing.js';
import { atrColumns, createContext, derivedColumns, type AtrColumns, type DerivedColumns, type SimulationContext, type SimulationSettings } from './context.js';
import { familyModule } from './families/index.js';
import type { ForecastColumns } from './forecast-columns.js';

/**
 * Where forecast columns come from: `panelHash` identifies the panel's content (data, tickers,
 * calendar). The jobs wire the forecast cache here; tests may pass a plain computation.
 */
export type ForecastSource = (panel: Panel, panelHash: string) => Promise<ForecastColumns>;

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
  const div = cfg.strategy.diversification;
  const rp = div.risk_parity;
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
    noStopAdverseMoveSd: ts.no_stop_adverse_move_sd,
    noStopHorizonBars: ts.no_stop_horizon_bars,
    noStopVolLookback: ts.no_stop_vol_lookback,
    correlationLookback: div.correlation_lookback,
    riskParity: { covLookback: rp.cov_lookback, shrinkage: rp.shrinkage, maxIterations: rp.max_iterations, tolerance: rp.tolerance },
  };
}

/**
 * Derived columns, forecast columns (families that need them, from `forecasts`) and the ATR
 * columns of the family's ATR-window range, for `panel` (whose source data hashes to `dataHash`).
 */
export async function prepareFamilyData(
  cfg: PnloptConfig,
  layout: ParamLayout,
  panel: Panel,
  dataHash: string,
  forecasts: ForecastSource,
  /** Derived columns already made for this panel (by another family of the same job). */
  derivedBefore?: DerivedColumns,
): Promise<FamilyData> {
  const family = familyModule(layout);
  const classes = cfg.strategy.asset_classes;
  const derived =
    derivedBefore ??
    derivedColumns(panel, {
      assetClassOf: (t) => classes.tickers[t] ?? classes.default_asset_class,
    });
  const columns = family.needsForecasts ? await forecasts(panel, sha256(`${dataHash}/${panel.tickers.join(',')}/${panel.T}`)) : null;
  const atrSpec = family.atrWindowParam === null ? undefined : layout.params[layout.column.get(family.atrWindowParam) ?? -1]?.spec;
  const atr = atrSpec?.type === 'int' ? atrColumns(panel, atrSpec.low, atrSpec.high) : null;
  return { panel, derived, forecasts: columns, atr };
}

/** The context of one window over prepared family data. */
export function contextFor(cfg: PnloptConfig, data: FamilyData, w: WindowRequest): SimulationContext {
  return createContext(data.panel, data.derived, data.forecasts, data.atr, settingsFromConfig(cfg, w.start, w.end, w.feeBps));
}
