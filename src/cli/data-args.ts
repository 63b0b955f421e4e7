/** Resolving `--data` / `--db` arguments against the config defaults. */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { PnloptConfig } from '../config/load.js';
import { loadMarketData } from '../data/load.js';
import type { MarketData } from '../data/types.js';
import { UsageError } from '../errors.js';
import { projectRoot } from '../paths.js';
import { ENV, fromEnv } from './options.js';
import { DatabaseManager } from '../store/database.js';
import { loadMarketDataFromDb } from '../store/market-data.js';

/** The files given, else $PNLOPT_DATA (comma-separated), else the embedded default data set from `runtime.default_data`. */
export function dataFiles(cfg: PnloptConfig, given: readonly string[] | undefined): string[] {
  if (given !== undefined && given.length > 0) return [...given];
  const env = fromEnv(ENV.data);
  if (env !== undefined) return env.split(',').map((f) => f.trim()).filter((f) => f !== '');
  return cfg.runtime.runtime.default_data.map((p) => (isAbsolute(p) ? p : join(projectRoot(), p)));
}

/** Prefix of a `--data` value that names the SQLite store instead of a file: `db:PATH`. */
const DB_PREFIX = 'db:';

/**
 * Market data from files (CSV, Arrow IPC), or from the store when `--data db:PATH` is given alone
 * (every ticker ingested there; `--tickers` picks among them later).
 */
export function loadData(cfg: PnloptConfig, given: readonly string[] | undefined): MarketData {
  const files = dataFiles(cfg, given);
  const fromDb = files.filter((f) => f.startsWith(DB_PREFIX));
  if (fromDb.length === 0) return loadMarketData(files);
  if (files.length > 1) throw new UsageError(`--data: ${DB_PREFIX}PATH reads the whole store; give it alone, not with other sources (${files.join(', ')})`);
  const path = fromDb[0].slice(DB_PREFIX.length);
  if (!existsSync(path)) throw new UsageError(`--data ${fromDb[0]}: no database at ${path}`);
  const dbm = new DatabaseManager(path);
  try {
    return loadMarketDataFromDb(dbm);
  } finally {
    dbm.close();
  }
}

/** `--db PATH`, else $PNLOPT_DB, else `runtime.database` (relative to the working directory). */
export function dbPath(cfg: PnloptConfig, given: string | undefined): string {
  return given ?? fromEnv(ENV.db) ?? cfg.runtime.runtime.database;
}
