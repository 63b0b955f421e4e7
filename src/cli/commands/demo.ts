/**
 * `pnlopt demo`: the adaptive loop on the embedded default data, with no other input: ingest it
 * (quality summary), detect every ticker's regimes (drift rows to the store), optimize per regime
 * with the config defaults (each regime's optimum cached under its key), then the best known
 * configuration of each family for the current regime (`pnlopt best`: the cache, or the baseline
 * and a re-optimization request).
 */
import { bestConfigurations, type BestAnswer } from '../../jobs/best.js';
import type { PerRegimeSummary } from '../../jobs/per-regime.js';
import { runRegimeDetection, type RegimeReport } from '../../jobs/regime.js';
import { ingestMarketData, type IngestSummary } from '../../store/ingest.js';
import { configFrom } from '../command-config.js';
import { dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { ingestSummaryJson, ingestSummaryTable } from '../ingest-table.js';
import { interruptedBeforeRun, reportRunEnd, withInterrupt } from '../interrupt.js';
import { printResult, type CommonOptions } from '../options.js';
import type { CliDeps } from './index.js';
import { answerText } from './best.js';
import { perRegimeText, runOptimizePerRegime } from './optimize.js';
import { regimeText } from './regime.js';

export interface DemoOptions extends CommonOptions {
  db?: string;
}

/** Run `pnlopt demo` (declared in demo-command.ts, which loads this module when the command runs). */
export async function demoAction(opts: DemoOptions, deps: CliDeps): Promise<void> {
  // The embedded data is validated now, and ingested when the optimize job opens the store: once
  // its own inputs are checked, so a bad --set writes nothing.
  const cfg = configFrom(opts);
  const data = loadData(cfg, undefined, opts.quiet);
  let ingest: IngestSummary | undefined;
  let regimes: RegimeReport | undefined;
  let interrupt: AbortSignal | undefined;
  const optimized = await withInterrupt((signal) => {
    interrupt = signal;
    return runOptimizePerRegime(opts, signal, deps, (dbm) => {
      ingest = ingestMarketData(dbm, data, cfg.runtime.data_quality.gap_multiple);
      regimes = runRegimeDetection({ cfg, data, dbm }).report;
    });
  }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
  if (optimized === undefined) return;
  // A summary means the store was opened, the data ingested and its regimes detected.
  let best: BestAnswer[] = [];
  if (optimized.status === 'completed') {
    const dbm = openStoreForWrite(dbPath(cfg, opts.db));
    try {
      best = await bestConfigurations({ cfg, data, regime: 'auto', dbm });
    } finally {
      dbm.close();
    }
  }
  printResult(opts, { ingest: ingestSummaryJson(ingest!), regimes: regimes!, optimize: optimized, best }, () => demoText(ingest!, regimes!, optimized, best));
  const last = optimized.regimes.at(-1)?.summary;
  if (optimized.status !== 'completed' && last !== undefined && last !== null) reportRunEnd(last.run_id, last.status, interrupt, last);
}

function demoText(ingest: IngestSummary, regimes: RegimeReport, optimized: PerRegimeSummary, best: readonly BestAnswer[]): string {
  return [
    `Ingested the embedded data set:\n${ingestSummaryTable(ingest)}`,
    `Regimes:\n${regimeText(regimes)}`,
    perRegimeText(optimized),
    `Best known configuration for the current regime:\n\n${best.map(answerText).join('\n\n')}`,
  ].join('\n\n');
}
