/** Resolving `--data` / `--db` arguments against the config defaults. */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { PnloptConfig } from '../config/load.js';
import { loadMarketData } from '../data/load.js';
import type { MarketData } from '../data/types.js';
import { UsageError } from '../errors.js';
import { projectRoot } from '../paths.js';
import { ENV, fromEnv } from './options.js';
import type { NamedInput } from './path-checks.js';
import { DatabaseManager } from '../store/database.js';
import { MIGRATIONS } from '../store/migrations.js';
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
export function loadData(cfg: PnloptConfig, given: readonly string[] | undefined, quiet = false): MarketData {
  const files = dataFiles(cfg, given);
  const fromDb = files.filter((f) => f.startsWith(DB_PREFIX));
  // -q silences the readers' notes (the extra columns a CSV reader ignores).
  if (fromDb.length === 0) return loadMarketData(files, quiet ? { note: () => {} } : {});
  if (files.length > 1) throw new UsageError(`--data: ${DB_PREFIX}PATH reads the whole store; give it alone, not with other sources (${files.join(', ')})`);
  const path = fromDb[0].slice(DB_PREFIX.length);
  if (!existsSync(path)) throw new UsageError(`--data ${fromDb[0]}: no database at ${path}`);
  // Read-only: reading never creates, migrates or otherwise writes a database.
  const dbm = new DatabaseManager(path, MIGRATIONS, 'read');
  try {
    return loadMarketDataFromDb(dbm);
  } finally {
    dbm.close();
  }
}

/** The data sources as the files they read (`db:PATH` as PATH), for `checkDistinct`. */
export function dataInputs(sources: readonly string[]): NamedInput[] {
  return sources.map((f) => ['--data', f.startsWith(DB_PREFIX) ? f.slice(DB_PREFIX.length) : f]);
}

/** `--db PATH`, else $PNLOPT_DB, else `runtime.database` (relative to the working directory). */
export function dbPath(cfg: PnloptConfig, given: string | undefined): string {
  // SQLite would take "" for an anonymous temporary database: a run stored nowhere.
  if (given === '') throw new UsageError('--db: expected a file path, got an empty string');
  return given ?? fromEnv(ENV.db) ?? cfg.runtime.runtime.database;
}

/**
 * Open the store a writing command uses (created when missing). An older pnlopt store is migrated
 * to the newest schema, said on stderr; anything else the store refuses (see `DatabaseManager`).
 */
export function openStoreForWrite(path: string): DatabaseManager {
  const dbm = new DatabaseManager(path);
  const to = dbm.schemaVersion();
  if (dbm.versionAtOpen > 0 && dbm.versionAtOpen < to) process.stderr.write(`pnlopt: ${path}: migrated the store from schema version ${dbm.versionAtOpen} to ${to}\n`);
  return dbm;
}
