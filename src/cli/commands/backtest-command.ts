/** `pnlopt backtest`, declared: its name, options and help. The action (backtest.ts) is loaded when the command runs. */
import { Option, type Command } from 'commander';
import { DATA_HELP, DB_HELP, intArg, numArg, withCommonOptions } from '../options.js';
import { withWindowOptions } from '../window-options.js';
import type { BacktestOptions } from './backtest.js';

/** The windows of a stored run `--window` picks from: an optimize run's search and hold-out, or both (`all`). */
export const RUN_WINDOWS = ['search', 'holdout', 'all'] as const;
export type RunWindow = (typeof RUN_WINDOWS)[number];

export function registerBacktest(program: Command): void {
  withWindowOptions(
    withCommonOptions(
      program
        .command('backtest')
        .description('backtest one parameter set of a strategy family, or re-run a stored candidate, and print its metrics next to buy and hold')
        .option('--data <files...>', DATA_HELP)
        .option('--strategy <name>', 'strategy family (see config/strategy_optimization_config.yml families)')
        .option('--params <k=v,...>', 'parameter values, e.g. fast=10,slow=50')
        .option('--fee-bps <n>', 'fee per side in basis points (default: simulation.fee_bps)', numArg(0))
        .option('--tickers <names...>', 'tickers to trade (default: all in the data)')
        .option('--equity <file>', 'write the equity curve (date,equity) as CSV (- for standard output)')
        .option('--run <run-id>', 're-run a stored candidate of this run (a unique prefix is enough) with its config, data and windows')
        .option('--candidate <id>', 'the stored candidate to re-run (with --run)', intArg(0))
        .addOption(new Option('--window <name>', 'the window of the run to re-run it on (with --run; default: search)').choices(RUN_WINDOWS))
        .option('--db <path>', `${DB_HELP}; with --run`),
    ),
    false,
  ).action(async (opts: BacktestOptions) => (await import('./backtest.js')).backtestAction(opts));
}
