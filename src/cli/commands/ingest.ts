/** `pnlopt ingest`: validate files, then upsert them into the store with quality snapshots. */
import type { Command } from 'commander';
import { ingestSummaryJson, ingestSummaryTable } from '../ingest-table.js';
import { DatabaseManager } from '../../store/database.js';
import { ingestMarketData, type IngestSummary } from '../../store/ingest.js';
import { dbPath, loadData } from '../data-args.js';
import { configFrom, printResult, withCommonOptions, type CommonOptions } from '../options.js';

interface IngestOptions extends CommonOptions {
  data?: string[];
  db?: string;
}

/** Validate every file before the database is even opened, then write all of it in one transaction. */
export function runIngest(opts: IngestOptions): IngestSummary {
  const cfg = configFrom(opts);
  const data = loadData(cfg, opts.data);
  const dbm = new DatabaseManager(dbPath(cfg, opts.db));
  try {
    return ingestMarketData(dbm, data, cfg.runtime.data_quality.gap_multiple);
  } finally {
    dbm.close();
  }
}

export function registerIngest(program: Command): void {
  withCommonOptions(
    program
      .command('ingest')
      .description('validate OHLCV files (CSV or Arrow IPC) and upsert them into the SQLite store, with a data-quality snapshot per ticker')
      .option('--data <files...>', 'OHLCV files, or db:PATH for an ingested store (default: the embedded data set)')
      .option('--db <path>', 'SQLite database (default: runtime.database in config)'),
  ).action((opts: IngestOptions) => {
    const summary = runIngest(opts);
    printResult(opts, ingestSummaryJson(summary), () => ingestSummaryTable(summary));
  });
}
