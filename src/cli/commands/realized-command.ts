/** `pnlopt realized`, declared: its name, options and help. The action (realized.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DB_HELP, withCommonOptions } from '../options.js';
import type { RealizedOptions } from './realized.js';

export function registerRealized(program: Command): void {
  withCommonOptions(
    program
      .command('realized')
      .description(
        'score the configurations traded on paper on their realized performance (closed trades in trade_executions), ranked as optimize ranks candidates: the configured objectives, Pareto fronts under the guardrails realized figures can judge, the best under constraints',
      )
      .option('--db <path>', DB_HELP)
      .option('--family <name>', 'one family (default: every family traded)')
      .option('--regime <key>', 'only trades decided in this regime, e.g. vol=high'),
  ).action(async (opts: RealizedOptions) => (await import('./realized.js')).realizedAction(opts));
}
