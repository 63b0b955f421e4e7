/** `pnlopt ingest`: validate files, then upsert (or replace) them into the store with quality snapshots. */
import { ingestSummaryJson, ingestSummaryTable } from '../ingest-table.js';
import { ingestMarketData, type IngestMode, type IngestSummary } from '../../store/ingest.js';
import { configFrom } from '../command-config.js';
import { dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { printResult, type CommonOptions } from '../options.js';

export interface IngestOptions extends CommonOptions {
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

/** Run `pnlopt ingest` (declared in ingest-command.ts, which loads this module when the command runs). */
export function ingestAction(opts: IngestOptions): void {
  const summary = runIngest(opts);
  printResult(opts, ingestSummaryJson(summary), () => ingestSummaryTable(summary));
}
