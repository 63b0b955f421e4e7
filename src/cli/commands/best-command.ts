/** `pnlopt best`, declared: its name, options and help. The action (best.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DATA_HELP, DB_HELP, withCommonOptions } from '../options.js';
import type { BestOptions } from './best.js';

export function registerBest(program: Command): void {
  withCommonOptions(
    program
      .command('best')
      .description(
        'the best known configuration per family for the current (or given) regime, from the strategy cache; a stale, failing or missing entry serves the family baseline and records a re-optimization request',
      )
      .option('--family <name>', 'one family (default: every configured family that can trade the data)')
      .option('--regime <key>', 'auto (the current regime of the first ticker), all, or a regime key such as vol=high|trend=bear', 'auto')
      .option('--data <files...>', DATA_HELP)
      .option('--tickers <names...>', 'tickers of the panel (default: all in the data; the first sets the regime)')
      .option('--db <path>', DB_HELP),
  ).action(async (opts: BestOptions) => (await import('./best.js')).bestAction(opts));
}
