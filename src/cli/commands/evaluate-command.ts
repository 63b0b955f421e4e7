/** `pnlopt evaluate`, declared: its name, options and help. The action (evaluate.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DATA_HELP, DB_HELP, intArg, numArg, withCommonOptions } from '../options.js';
import { withWindowOptions } from '../window-options.js';
import type { EvaluateOptions } from './evaluate.js';
import type { CliDeps } from './index.js';

/** Add `pnlopt evaluate`; SIGINT / SIGTERM during the run interrupt it instead of killing the process. */
export function registerEvaluate(program: Command, deps: CliDeps): void {
  withWindowOptions(withCommonOptions(
    program
      .command('evaluate')
      .description('evaluate a population of candidates (CSV, one per row) over the worker pool; write the rows back with their metrics')
      .option('--data <files...>', DATA_HELP)
      .option('--tickers <names...>', 'tickers to trade (default: all in the data)')
      .option('--strategy <name>', 'strategy family (see config/strategy_optimization_config.yml families); required unless --resume')
      .option('--candidates <file>', 'CSV of candidates: a header of parameter names, one candidate per row; required unless --resume')
      .option('--out <file>', 'CSV to write (- for stdout): the input rows in input order with the metric columns appended; required unless --resume')
      .option('--workers <n>', 'worker threads (default and most: the available cores)', intArg(1))
      .option('--allow-oversubscribe', 'allow --workers above the available cores')
      .option('--batch <n>', 'candidates per task (default: chosen from the measured costs)', intArg(1))
      .option('--db <path>', DB_HELP)
      .option('--resume <run-id>', 'continue an interrupted or killed run with the options it was started with, evaluating only the candidates it has not stored')
      .option('--fee-bps <n>', 'fee per side in basis points (default: simulation.fee_bps)', numArg(0)),
  ), false).action(async (opts: EvaluateOptions) => (await import('./evaluate.js')).evaluateAction(opts, deps));
}
