/** `pnlopt demo`: the main job on the embedded default data, with no other input. */
import type { Command } from 'commander';
import { frontTable } from '../front-table.js';
import { ingestSummaryJson, ingestSummaryTable } from '../ingest-table.js';
import { reportRunEnd, withInterrupt } from '../interrupt.js';
import type { CliDeps } from './index.js';
import { printResult, withCommonOptions, type CommonOptions } from '../options.js';
import { runIngest } from './ingest.js';
import { runOptimize } from './optimize.js';

interface DemoOptions extends CommonOptions {
  db?: string;
}

export function registerDemo(program: Command, deps: CliDeps): void {
  withCommonOptions(
    program
      .command('demo')
      .description('the main job on the embedded default data: ingest it (quality summary), then optimize with the config defaults')
      .option('--db <path>', 'SQLite database (default: runtime.database in config)'),
  ).action(async (opts: DemoOptions) => {
    const ingest = runIngest(opts);
    let interrupt: AbortSignal | undefined;
    const summary = await withInterrupt((signal) => {
      interrupt = signal;
      return runOptimize(opts, signal, deps);
    });
    printResult(
      opts,
      { ingest: ingestSummaryJson(ingest), optimize: summary },
      () => `Ingested the embedded data set:\n${ingestSummaryTable(ingest)}\n\n${frontTable(summary)}`,
    );
    reportRunEnd(summary.run_id, summary.status, interrupt);
  });
}
