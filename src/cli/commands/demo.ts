/**
 * `pnlopt demo`: the adaptive loop on the embedded default data, with no other input: ingest it
 * (quality summary), detect every ticker's regimes (drift rows to the store), optimize per regime
 * with the config defaults on the data before the paper period (each regime's optimum cached under
 * its key), paper trade the last `paper.default_bars` bars through the cache (`pnlopt paper`: each
 * bar routed causally to its regime's optimum, or the baseline once it is stale or missing), update
 * the regime state from the realized trades, then the best known configuration of each family for
 * the current regime (`pnlopt best`: the cache, or the baseline and a re-optimization request).
 * All but the last step are the pass of `pnlopt run` (src/jobs/pipeline.ts) with no window given.
 * Each regime's run gets its report page (`pnlopt report`) beside its summary.json. Last, the
 * portfolio construction on a synthetic correlated basket (src/jobs/basket-demo.ts): the
 * correlated-exposure penalty and risk parity at work.
 */
import { join } from 'node:path';
import { basketDemo, type BasketDemo } from '../../jobs/basket-demo.js';
import { bestConfigurations, type BestAnswer } from '../../jobs/best.js';
import type { PaperSummary } from '../../jobs/paper.js';
import type { PerRegimeSummary } from '../../jobs/per-regime.js';
import type { RegimeStateUpdate } from '../../jobs/regime-state.js';
import type { RegimeReport } from '../../jobs/regime.js';
import type { IngestSummary } from '../../store/ingest.js';
import { configFrom } from '../command-config.js';
import { dataFiles, dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { ingestSummaryJson, ingestSummaryTable } from '../ingest-table.js';
import { interruptedBeforeRun, reportRunEnd, withInterrupt } from '../interrupt.js';
import { printResult, type CommonOptions } from '../options.js';
import { fmt, pct, renderTable, wrapList, wrapWords } from '../table.js';
import type { CliDeps } from './index.js';
import { writeReport } from './report.js';
import { answerText } from './best.js';
import { perRegimeText } from './optimize.js';
import { paperText } from './paper.js';
import { regimeText } from './regime.js';
import { regimeStateJson, runPipelineWith } from './run.js';
import { stateText } from './update-regime-state.js';

export interface DemoOptions extends CommonOptions {
  db?: string;
}

/** Run `pnlopt demo` (declared in demo-command.ts, which loads this module when the command runs). */
export async function demoAction(opts: DemoOptions, deps: CliDeps): Promise<void> {
  // The pass of `pnlopt run` with no window: the data is ingested when the optimize job opens the
  // store, once its own inputs are checked, so a bad --set writes nothing.
  const cfg = configFrom(opts);
  const sources = dataFiles(cfg, undefined);
  const data = loadData(cfg, sources, opts.quiet);
  let interrupt: AbortSignal | undefined;
  const run = await withInterrupt((signal) => {
    interrupt = signal;
    return runPipelineWith(opts, { cfg, data, sources }, signal, deps);
  }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
  if (run === undefined) return;
  let best: BestAnswer[] = [];
  let basket: BasketDemo | null = null;
  if (run.status === 'completed') {
    const dbm = openStoreForWrite(dbPath(cfg, opts.db));
    try {
      best = await bestConfigurations({ cfg, data, regime: 'auto', dbm });
    } finally {
      dbm.close();
    }
    basket = await basketDemo(cfg);
  }
  const { etl, optimize, paper, regime_state: state } = run;
  // Each regime's run gets its page beside its summary.json (`pnlopt report`).
  const reports: string[] = [];
  for (const r of optimize.regimes) {
    if (r.summary?.status === 'completed') reports.push((await writeReport({ ...opts, db: dbPath(cfg, opts.db) }, r.summary.run_id, join(r.summary.out_dir, 'report.html'))).out);
  }
  const json = { ingest: ingestSummaryJson(etl.ingest), regimes: etl.regimes, optimize, paper, regime_state: regimeStateJson(state), best, basket, reports };
  printResult(opts, json, () =>
    [demoText(etl.ingest, etl.regimes, optimize, paper, state, best), ...(basket !== null ? [basketText(basket)] : []), `Reports (open in a browser):\n${reports.map((f) => `  ${f}`).join('\n')}`].join('\n\n'));
  const last = optimize.regimes.at(-1)?.summary;
  if (run.status !== 'completed' && last !== undefined && last !== null) reportRunEnd(last.run_id, last.status, interrupt, last);
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

function basketText(b: BasketDemo): string {
  const pairs = b.tickers.flatMap((a, i) => b.tickers.slice(i + 1).map((c, j) => `${a}-${c} ${b.correlation[i][i + 1 + j].toFixed(2)}`));
  const rows = b.variants.map((v) => [v.label, ...b.tickers.map((_, k) => `${fmt(v.meanEntryWeight[k], 3)} (${v.entries[k]})`), pct(v.totalReturn)]);
  return [
    `Portfolio construction on a synthetic basket (pnlopt synth --factor-loadings ${b.loadings.join(',')}), ${b.family}'s baseline over ${b.bars} bars.`,
    wrapList('Return correlations: ', pairs),
    'Mean weight per entry (entries), three ways of sizing the same signals:',
    renderTable(['sizing', ...b.tickers, 'total return'], rows, [false, ...b.tickers.map(() => true), true]),
    wrapWords('', 'The penalty shrinks an entry by its correlation with what is held: the correlated pair gets less, the independent ticker about the same. ' +
      'Risk parity spreads the gross so that each position adds the same risk: the independent ticker gets more than either half of the pair.', ''),
  ].join('\n');
}
