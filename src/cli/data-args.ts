/** Resolving `--data` / `--db` arguments against the config defaults. */
import { isAbsolute, join } from 'node:path';
import type { PnloptConfig } from '../config/load.js';
import { loadMarketData } from '../data/load.js';
import type { MarketData } from '../data/types.js';
import { projectRoot } from '../paths.js';

/** The files given, or the embedded default data set from `runtime.default_data`. */
export function dataFiles(cfg: PnloptConfig, given: readonly string[] | undefined): string[] {
  if (given !== undefined && given.length > 0) return [...given];
  return cfg.runtime.runtime.default_data.map((p) => (isAbsolute(p) ? p : join(projectRoot(), p)));
}

export function loadData(cfg: PnloptConfig, given: readonly string[] | undefined): MarketData {
  return loadMarketData(dataFiles(cfg, given));
}

/** `--db PATH`, or `runtime.database` (relative to the working directory). */
export function dbPath(cfg: PnloptConfig, given: string | undefined): string {
  return given ?? cfg.runtime.runtime.database;
}
