/** `pnlopt demo`: the main job on the embedded default data, with no other input. */
import type { Command } from 'commander';
import { frontTable } from '../front-table.js';
import { ingestSummaryJson, ingestSummaryTable } from '../ingest-table.js';
import { interruptedBeforeRun, reportRunEnd, withInterrupt } from '../interrupt.js';
import type { CliDeps } from './index.js';
import { configFrom, printResult, withCommonOptions, type CommonOptions } from '../options.js';
import { DB_HELP, loadData } from '../data-args.js';
import { ingestMarketData, type IngestSummary } from '../../store/ingest.js';
import { runOptimize } from './optimize.js';

interface DemoOptions extends CommonOptions {
  db?: string;
}

export function registerDemo(program: Command, deps: CliDeps): void {
  withCommonOptions(
    program
      .command('demo')
      .description('the main job on the embedded default data: ingest it (quality summary), then optimize with the config defaults')
      .option('--db <path>', DB_HELP),
  ).action(async (opts: DemoOptions) => {
    // The embedded data is validated now, and ingested when the optimize job opens the store: once
    // its own inputs are checked, so a bad --set writes nothing.
    const cfg = configFrom(opts);
    const data = loadData(cfg, undefined, opts.quiet);
    let ingest: IngestSummary | undefined;
    let interrupt: AbortSignal | undefined;
    const summary = await withInterrupt((signal) => {
      interrupt = signal;
      return runOptimize(opts, signal, deps, (dbm) => {
        ingest = ingestMarketData(dbm, data, cfg.runtime.data_quality.gap_multiple);
      });
    }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
    if (summary === undefined) return;
    // A summary means the run was recorded, so the store was opened and the data ingested.
    const ingested = ingest!;
    printResult(
      opts,
      { ingest: ingestSummaryJson(ingested), optimize: summary },
      () => `Ingested the embedded data set:\n${ingestSummaryTable(ingested)}\n\n${frontTable(summary)}`,
    );
    reportRunEnd(summary.run_id, summary.status, interrupt, summary);
  });
}
