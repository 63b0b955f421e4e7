/** `pnlopt demo`: the main job on the embedded default data, with no other input. */
import type { Command } from 'commander';
import { ingestSummaryJson, ingestSummaryTable } from '../../report/quality.js';
import { runIngest } from './ingest.js';
import { printResult, withCommonOptions, type CommonOptions } from '../options.js';

interface DemoOptions extends CommonOptions {
  db?: string;
}

export function registerDemo(program: Command): void {
  withCommonOptions(
    program
      .command('demo')
      .description('run the main job on the embedded default data set: ingest it and print its quality summary')
      .option('--db <path>', 'SQLite database (default: runtime.database in config)'),
  ).action((opts: DemoOptions) => {
    const summary = runIngest(opts);
    printResult(opts, { ingest: ingestSummaryJson(summary) }, () => `Ingested the embedded data set:\n${ingestSummaryTable(summary)}`);
  });
}
