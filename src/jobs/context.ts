/**
 * Simulation contexts as the jobs build them: the forecast cache (`runtime.cache_dir`) wired in as
 * the forecast source, so the simulation layer never touches the disk cache itself.
 */
import { resolve } from 'node:path';
import { loadOrComputeForecasts } from '../cache/forecast-cache.js';
import type { PnloptConfig } from '../config/load.js';
import type { ParamLayout } from '../config/param-layout.js';
import type { Panel } from '../data/types.js';
import { contextFor, prepareFamilyData, type FamilyData, type ForecastSource, type WindowRequest } from '../simulation/build-context.js';
import type { DerivedColumns, SimulationContext } from '../simulation/context.js';
import { forecastCodeVersion } from '../simulation/forecast-code-version.js';
import { computeForecastColumns } from '../simulation/forecast-columns.js';

/** Forecast columns from the cache under `runtime.cache_dir` (relative to the working directory), computed on a miss. */
export function cachedForecasts(cfg: PnloptConfig): ForecastSource {
  const dir = resolve(cfg.runtime.runtime.cache_dir);
  return (panel, panelHash) =>
    loadOrComputeForecasts(panel, panelHash, cfg.strategy.forecast_models, dir, computeForecastColumns, forecastCodeVersion(), cfg.runtime.runtime.cache_max_bytes);
}

/** A family's shared columns on `panel`, forecasts from the cache. */
export function familyData(cfg: PnloptConfig, layout: ParamLayout, panel: Panel, dataHash: string, derivedBefore?: DerivedColumns): Promise<FamilyData> {
  return prepareFamilyData(cfg, layout, panel, dataHash, cachedForecasts(cfg), derivedBefore);
}

/** Prepare the family's data and the context of one window. */
export async function buildContext(cfg: PnloptConfig, layout: ParamLayout, panel: Panel, dataHash: string, w: WindowRequest): Promise<SimulationContext> {
  return contextFor(cfg, await familyData(cfg, layout, panel, dataHash), w);
}
