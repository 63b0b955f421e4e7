/**
 * Simulation contexts as the jobs build them: the forecast cache (`runtime.cache_dir`) wired in as
 * the forecast source, computing its missing blocks on worker threads, so the simulation layer
 * never touches the disk cache or the threads itself.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { loadOrComputeForecasts, type ForecastProgress } from '../cache/forecast-cache.js';
import type { PnloptConfig } from '../config/load.js';
import type { ParamLayout } from '../config/param-layout.js';
import type { Panel } from '../data/types.js';
import { computeForecastBlocksInPool } from '../pool/forecast-pool.js';
import { contextFor, prepareFamilyData, type FamilyData, type ForecastSource, type WindowRequest } from '../simulation/build-context.js';
import type { DerivedColumns, SimulationContext } from '../simulation/context.js';
import { forecastCodeVersion } from '../simulation/forecast-code-version.js';

export type { ForecastProgress };

/** How a job computes missing forecast columns. */
export interface ForecastHooks {
  /** Threads computing forecast blocks; default: every core the process may use. */
  readonly threads?: number | undefined;
  /** Aborting it stops the computation (an `InterruptedError`); the finished blocks stay cached. */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((p: ForecastProgress) => void) | undefined;
}

/** Forecast columns from the cache under `runtime.cache_dir` (relative to the working directory), computed on a miss. */
export function cachedForecasts(cfg: PnloptConfig, hooks: ForecastHooks = {}): ForecastSource {
  const threads = hooks.threads ?? availableParallelism();
  return (panel, panelHash) =>
    loadOrComputeForecasts(panel, panelHash, cfg.strategy.forecast_models, {
      cacheDir: resolve(cfg.runtime.runtime.cache_dir),
      compute: (p, models, blocks, out, done) => computeForecastBlocksInPool(p, models, blocks, out, done, { threads, signal: hooks.signal }),
      threads,
      codeVersion: forecastCodeVersion(),
      maxBytes: cfg.runtime.runtime.cache_max_bytes,
      ...(hooks.onProgress !== undefined ? { onProgress: hooks.onProgress } : {}),
    });
}

/** A family's shared columns on `panel`, forecasts from the cache. */
export function familyData(cfg: PnloptConfig, layout: ParamLayout, panel: Panel, dataHash: string, derivedBefore?: DerivedColumns, hooks?: ForecastHooks): Promise<FamilyData> {
  return prepareFamilyData(cfg, layout, panel, dataHash, cachedForecasts(cfg, hooks), derivedBefore);
}

/** Prepare the family's data and the context of one window. */
export async function buildContext(cfg: PnloptConfig, layout: ParamLayout, panel: Panel, dataHash: string, w: WindowRequest, hooks?: ForecastHooks): Promise<SimulationContext> {
  return contextFor(cfg, await familyData(cfg, layout, panel, dataHash, undefined, hooks), w);
}
