/**
 * `pnlopt etl`, the action (declared in etl-command.ts): src/jobs/etl.ts on the window of the
 * flags or of TICKERS / START_DATE / END_DATE; prints the ingest table, the regimes and the count
 * of drift rows.
 */
import { runEtl, type EtlSummary } from '../../jobs/etl.js';
import type { DatabaseManager } from '../../store/database.js';
import { configFrom } from '../command-config.js';
import { dataFiles, dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { resolveWindow, type EntryWindowOptions } from '../env-window.js';
import { ingestSummaryJson, ingestSummaryTable } from '../ingest-table.js';
import { printResult, type CommonOptions } from '../options.js';
import { checkStorePath } from '../path-checks.js';
import { regimeText } from './regime.js';

export interface EtlOptions extends CommonOptions, EntryWindowOptions {
  data?: string[];
  db?: string;
}

export function etlAction(opts: EtlOptions): void {
  const window = resolveWindow(opts);
  const cfg = configFrom(opts);
  const data = loadData(cfg, dataFiles(cfg, opts.data), opts.quiet);
  const store = dbPath(cfg, opts.db);
  checkStorePath(store, '--db');
  let dbm: DatabaseManager | undefined;
  try {
    const summary = runEtl({ cfg, data, ...window, dbm: () => (dbm = openStoreForWrite(store)) });
    printResult(opts, etlJson(summary), () => etlText(summary));
  } finally {
    dbm?.close();
  }
}

/** The summary in the JSON conventions (snake_case, the ingest as `pnlopt ingest --json` prints it). */
export function etlJson(s: EtlSummary): object {
  return { ingest: ingestSummaryJson(s.ingest), regimes: s.regimes, drift_rows: s.drift_rows };
}

export function etlText(s: EtlSummary): string {
  return [`Ingested:\n${ingestSummaryTable(s.ingest)}`, `Regimes:\n${regimeText(s.regimes)}`, `${s.drift_rows} drift row(s) recorded (split_drift_metrics)`].join('\n\n');
}
