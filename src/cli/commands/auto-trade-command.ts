/** `pnlopt auto-trade`, declared: its name, options and help. The action (auto-trade.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { withEntryOptions } from '../entry-options.js';
import { ENV, withCommonOptions } from '../options.js';
import type { AutoTradeOptions } from './auto-trade.js';

export function registerAutoTrade(program: Command): void {
  withCommonOptions(
    withEntryOptions(
      program
        .command('auto-trade')
        .description(`the auto-trader entry point: pnlopt paper over the window (--start, --end), each ticker routed to its regime's cached optimum or the baseline; with $${ENV.hyperoptRounds} > 0, pnlopt hyperopt on the same tickers and dates instead`)
        .option('--family <name>', 'the family to trade (default: paper.family in paper_trading_config.yml)'),
      'the window traded',
      'the bar after the session\'s last recorded one; a new session: paper.default_bars before the end',
    ),
  ).action(async (opts: AutoTradeOptions) => (await import('./auto-trade.js')).autoTradeAction(opts));
}
