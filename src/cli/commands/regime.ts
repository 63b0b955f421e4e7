/**
 * `pnlopt regime`, the action (declared in regime-command.ts): every ticker's regimes
 * (src/jobs/regime.ts), printed as its current regime and the history as segments; the drift rows
 * go to the store, which is checked before any work and opened only once every ticker is labelled.
 */
import { runRegimeDetection, type RegimeReport } from '../../jobs/regime.js';
import type { DatabaseManager } from '../../store/database.js';
import { escapeControl } from '../../terminal-text.js';
import { configFrom } from '../command-config.js';
import { dataFiles, dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { note, printResult, type CommonOptions } from '../options.js';
import { checkStorePath } from '../path-checks.js';
import { renderTable } from '../table.js';

export interface RegimeOptions extends CommonOptions {
  data?: string[];
  db?: string;
}

/** Run `pnlopt regime` (declared in regime-command.ts, which loads this module when the command runs). */
export function regimeAction(opts: RegimeOptions): void {
  const cfg = configFrom(opts);
  const data = loadData(cfg, dataFiles(cfg, opts.data), opts.quiet);
  const store = dbPath(cfg, opts.db);
  checkStorePath(store, '--db');
  let dbm: DatabaseManager | undefined;
  try {
    const run = runRegimeDetection({ cfg, data, dbm: () => (dbm = openStoreForWrite(store)) });
    note(opts, `${run.driftRows} drift row(s) recorded in ${store} (split_drift_metrics)`);
    printResult(opts, run.report, () => regimeText(run.report));
  } finally {
    dbm?.close();
  }
}

/** Per ticker: a heading with the current regime, then its segments, oldest first. */
export function regimeText(report: RegimeReport): string {
  return report.tickers
    .map((t) => {
      const heading = escapeControl(`${t.ticker}: ${t.current.regime} since ${t.current.since}`);
      return `${heading}\n${renderTable(['start', 'end', 'bars', 'regime'], t.segments.map((g) => [g.start, g.end, g.bars, g.regime]))}`;
    })
    .join('\n\n');
}
