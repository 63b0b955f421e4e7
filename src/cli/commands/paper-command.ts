/** `pnlopt paper`, declared: its name, options and help. The action (paper.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DATA_HELP, DB_HELP, withCommonOptions } from '../options.js';
import { dateArg } from '../window-options.js';
import type { PaperOptions } from './paper.js';

export function registerPaper(program: Command): void {
  withCommonOptions(
    program
      .command('paper')
      .description(
        'paper trading: replay bars one at a time through the live path (each ticker\'s regime, its cached optimum or the baseline, the signal, the guardrails, sizing scaled by regime_state.yml, the execution model); every fill a trade_executions row; resumable and idempotent',
      )
      .option('--data <files...>', DATA_HELP)
      .option('--tickers <names...>', 'the basket (default: all in the data)')
      .option('--family <name>', 'the family to trade (default: paper.family in paper_trading_config.yml)')
      .option('--db <path>', DB_HELP)
      .option('--from <date>', 'first day to replay, YYYY-MM-DD (default: the bar after the session\'s last recorded one; a new session: paper.default_bars before the end)', dateArg)
      .option('--to <date>', 'last day to replay, included (default: the data\'s last bar)', dateArg),
  ).action(async (opts: PaperOptions) => (await import('./paper.js')).paperAction(opts));
}
