/** `pnlopt check-triggers`, declared: its name, options and help. The action (check-triggers.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DATA_HELP, DB_HELP, intArg, withCommonOptions } from '../options.js';
import type { CheckTriggersOptions } from './check-triggers.js';
import type { CliDeps } from './index.js';

export function registerCheckTriggers(program: Command, deps: CliDeps): void {
  withCommonOptions(
    program
      .command('check-triggers')
      .description(
        'list and record the re-optimizations due and why: a ticker\'s regime changed, drift beyond regime_config.yml tolerances, a cached optimum missing, stale or failing the performance criteria; --run carries out every pending one',
      )
      .option('--data <files...>', DATA_HELP)
      .option('--tickers <names...>', 'tickers of the panel (default: all in the data; the first sets the regime of the cache checks)')
      .option('--family <name>', 'one family (default: every configured family that can trade the data)')
      .option('--db <path>', DB_HELP)
      .option('--run', 'then carry out every pending request through the optimize job (optimizer.defaults: optimizer, budget, seed), one run per family and regime, and mark them done')
      .option('--workers <n>', 'worker threads of --run (default and most: the available cores)', intArg(1)),
  ).action(async (opts: CheckTriggersOptions) => (await import('./check-triggers.js')).checkTriggersAction(opts, deps));
}
