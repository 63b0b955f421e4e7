/** `pnlopt ingest`: validate files, then upsert (or replace) them into the store with quality snapshots. */
import { Option, type Command } from 'commander';
import { ingestSummaryJson, ingestSummaryTable } from '../ingest-table.js';
import { INGEST_MODES, ingestMarketData, type IngestMode, type IngestSummary } from '../../store/ingest.js';
import { DATA_HELP, DB_HELP, dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { configFrom, printResult, withCommonOptions, type CommonOptions } from '../options.js';

interface IngestOptions extends CommonOptions {
  data?: string[];
  db?: string;
  mode?: IngestMode;
}

/** Validate every file before the database is even opened, then write all of it in one transaction. */
export function runIngest(opts: IngestOptions): IngestSummary {
  const cfg = configFrom(opts);
  const data = loadData(cfg, opts.data, opts.quiet);
  const dbm = openStoreForWrite(dbPath(cfg, opts.db));
  try {
    return ingestMarketData(dbm, data, cfg.runtime.data_quality.gap_multiple, opts.mode);
  } finally {
    dbm.close();
  }
}

export function registerIngest(program: Command): void {
  withCommonOptions(
    program
      .command('ingest')
      .description('validate OHLCV files (CSV or Arrow IPC) and upsert them into the SQLite store (or replace their tickers\' bars), with a data-quality snapshot per ticker')
      .option('--data <files...>', DATA_HELP)
      .option('--db <path>', DB_HELP)
      .addOption(
        new Option('--mode <mode>', "upsert: add and update bars, keep the others; replace: also remove each ingested ticker's stored bars that the source lacks")
          .choices(INGEST_MODES)
          .default('upsert'),
      ),
  ).action((opts: IngestOptions) => {
    const summary = runIngest(opts);
    printResult(opts, ingestSummaryJson(summary), () => ingestSummaryTable(summary));
  });
}
