/** `pnlopt report`, declared: its name, options and help. The action (report.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DB_HELP, withCommonOptions } from '../options.js';
import type { ReportOptions } from './report.js';

export function registerReport(program: Command): void {
  withCommonOptions(
    program
      .command('report')
      .description('write one self-contained HTML page of a run (opens offline): Pareto front, convergence, equity and drawdown of the best, trades, regimes, the strategy cache, paper fills, the governance record')
      .requiredOption('--run <run-id>', 'the run (pnlopt runs lists them)')
      .requiredOption('--out <file>', 'HTML file to write, or - for standard output')
      .option('--db <path>', DB_HELP),
  ).action(async (opts: ReportOptions) => (await import('./report.js')).reportAction(opts));
}
