/**
 * The options every entry point (`etl`, `auto-trade`, `run`, `hyperopt`) declares: the basket, the
 * window and the data and store. Light, like options.ts: the environment is read when the command
 * runs (`resolveWindow`, env-window.ts).
 */
import type { Command } from 'commander';
import { DATA_HELP, DB_HELP, ENV } from './options.js';
import { dateArg } from './window-options.js';

/** Add `--tickers`, `--start`, `--end`, `--data` and `--db`; `what` the dates bound, `startDefault` the first day without --start or $START_DATE. */
export function withEntryOptions(cmd: Command, what: string, startDefault: string): Command {
  return cmd
    .option('--tickers <names...>', `the basket (default: $${ENV.tickers}, comma-separated, else every ticker of the data)`)
    .option('--start <date>', `first day of ${what}, YYYY-MM-DD (default: $${ENV.start}, else ${startDefault})`, dateArg)
    .option('--end <date>', `last day of ${what}, included (default: $${ENV.end}, else the data's last bar)`, dateArg)
    .option('--data <files...>', DATA_HELP)
    .option('--db <path>', DB_HELP);
}
