/** `pnlopt run`, declared: its name, options and help. The action (run.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { MAX_BUDGET, OPTIMIZER_KINDS } from '../../config/optimizer-kinds.js';
import { withEntryOptions } from '../entry-options.js';
import { ENV, intArg, withCommonOptions } from '../options.js';
import type { CliDeps } from './index.js';
import type { RunOptions } from './run.js';

export function registerRun(program: Command, deps: CliDeps): void {
  withCommonOptions(
    withEntryOptions(
      program
        .command('run')
        .description(`end to end: etl (bars up to --end, quality, regimes, drift), optimize per regime on the data before --start, auto-trade --start .. --end through the cache, update the regime state; with $${ENV.hyperoptRounds} > 0, pnlopt hyperopt on the same tickers and dates instead`)
        .option('--family <name[,name]>', 'strategy family to optimize; several (comma-separated) for the bandit (default: optimizer.defaults.family)')
        .option('--optimizer <kind>', `${OPTIMIZER_KINDS.join('|')} (default: optimizer.defaults.optimizer)`)
        .option('--budget <n>', `candidates to evaluate per regime, at most ${MAX_BUDGET} (default: optimizer.defaults.budget)`, intArg(1, MAX_BUDGET))
        .option('--seed <s>', 'random seed (default: optimizer.defaults.seed)', intArg(0))
        .option('--workers <n>', 'worker threads (default and most: the available cores)', intArg(1)),
      'the window auto-traded (optimize runs on the data before it)',
      'paper.default_bars before the data\'s end',
    ),
  ).action(async (opts: RunOptions) => (await import('./run.js')).runAction(opts, deps));
}
