/** `pnlopt demo`, declared: its name, options and help. The action (demo.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DB_HELP, withCommonOptions } from '../options.js';
import type { DemoOptions } from './demo.js';
import type { CliDeps } from './index.js';

export function registerDemo(program: Command, deps: CliDeps): void {
  withCommonOptions(
    program
      .command('demo')
      .description('the adaptive loop on the embedded default data: ingest (quality summary), detect regimes, optimize per regime with the config defaults on the data before the last paper.default_bars bars (cached per regime), paper trade those bars through the cache, update the regime state from the realized trades, then the best configuration of each family for the current regime')
      .option('--db <path>', DB_HELP),
  ).action(async (opts: DemoOptions) => (await import('./demo.js')).demoAction(opts, deps));
}
