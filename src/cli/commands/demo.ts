/**
 * `pnlopt demo`: the adaptive loop on the embedded default data, with no other input: ingest it
 * (quality summary), detect every ticker's regimes (drift rows to the store), optimize per regime
 * with the config defaults on the data before the paper period (each regime's optimum cached under
 * its key), paper trade the last `paper.default_bars` bars through the cache (`pnlopt paper`: each
 * bar routed causally to its regime's optimum, or the baseline once it is stale or missing), update
 * the regime state from the realized trades, then the best known configuration of each family for
 * the current regime (`pnlopt best`: the cache, or the baseline and a re-optimization request).
 */
import { bestConfigurations, type BestAnswer } from '../../jobs/best.js';
import { runPaper, type PaperSummary } from '../../jobs/paper.js';
import type { PerRegimeSummary } from '../../jobs/per-regime.js';
import { updateRegimeState, type RegimeStateUpdate } from '../../jobs/regime-state.js';
import { formatTime } from '../../data/validate.js';
import { alignPanel } from '../../data/panel.js';
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
import { paperText } from './paper.js';
import { regimeText } from './regime.js';
import { stateText } from './update-regime-state.js';

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
  // The search and its hold-out end the bar before the paper period, so paper trading is out of sample.
  const panel = alignPanel(data);
  const paperFrom = Math.max(1, panel.T - cfg.paper.paper.default_bars);
  const searchEnd = formatTime(panel.time[paperFrom - 1]).slice(0, 10);
  const optimized = await withInterrupt((signal) => {
    interrupt = signal;
    return runOptimizePerRegime({ ...opts, end: searchEnd }, signal, deps, (dbm) => {
      ingest = ingestMarketData(dbm, data, cfg.runtime.data_quality.gap_multiple);
      regimes = runRegimeDetection({ cfg, data, dbm }).report;
    });
  }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
  if (optimized === undefined) return;
  // A summary means the store was opened, the data ingested and its regimes detected.
  let best: BestAnswer[] = [];
  let paper: PaperSummary | null = null;
  let state: RegimeStateUpdate | null = null;
  if (optimized.status === 'completed') {
    const dbm = openStoreForWrite(dbPath(cfg, opts.db));
    try {
      paper = await withInterrupt((signal) => runPaper({ cfg, data, dbm, signal }));
      state = updateRegimeState(cfg, dbm);
      best = await bestConfigurations({ cfg, data, regime: 'auto', dbm });
    } finally {
      dbm.close();
    }
  }
  const json = { ingest: ingestSummaryJson(ingest!), regimes: regimes!, optimize: optimized, paper, regime_state: state === null ? null : { path: state.path, tickers: Object.fromEntries(state.tickers) }, best };
  printResult(opts, json, () => demoText(ingest!, regimes!, optimized, paper, state, best));
  const last = optimized.regimes.at(-1)?.summary;
  if (optimized.status !== 'completed' && last !== undefined && last !== null) reportRunEnd(last.run_id, last.status, interrupt, last);
}

function demoText(ingest: IngestSummary, regimes: RegimeReport, optimized: PerRegimeSummary, paper: PaperSummary | null, state: RegimeStateUpdate | null, best: readonly BestAnswer[]): string {
  return [
    `Ingested the embedded data set:\n${ingestSummaryTable(ingest)}`,
    `Regimes:\n${regimeText(regimes)}`,
    perRegimeText(optimized),
    ...(paper !== null ? [`Paper trading the period after the search:\n${paperText(paper)}`] : []),
    ...(state !== null ? [`Regime state from the realized trades:\n${stateText(state)}`] : []),
    `Best known configuration for the current regime:\n\n${best.map(answerText).join('\n\n')}`,
  ].join('\n\n');
}
