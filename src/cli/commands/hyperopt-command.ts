/** `pnlopt hyperopt`, declared: its name, options and help. The action (hyperopt.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { withEntryOptions } from '../entry-options.js';
import { ENV, intArg, withCommonOptions } from '../options.js';
import type { HyperoptOptions } from './hyperopt.js';
import type { CliDeps } from './index.js';

export function registerHyperopt(program: Command, deps: CliDeps): void {
  withCommonOptions(
    withEntryOptions(
      program
        .command('hyperopt')
        .description(
          'the higher-order driver: trials of etl + optimize + auto-trade, each on its own database, over the meta-parameters of hyperopt_config.yml (evaluation window, min_expected_profit, min_expected_return; guardrails only tightened), proposed by a 30/70 explore/exploit bandit holding one dimension per trial, scored by realized total_profit; the best re-run as <RUN_ID>_best in the main database',
        )
        .option('--rounds <n>', `trials (default: $${ENV.hyperoptRounds}, else hyperopt.rounds)`, intArg(1))
        .option('--log-dir <dir>', 'folder of the JSON-lines log hyperopt_<RUN_ID>.log', 'logs/hyperopt')
        .option('--resume <run-id>', 'continue an interrupted hyperopt run: its finished trials are kept')
        .option('--workers <n>', 'worker threads of every trial\'s optimize (default and most: the available cores)', intArg(1)),
      'the window auto-traded and scored in every trial',
      'hyperopt trial.paper_bars before the data\'s end',
    ),
  ).action(async (opts: HyperoptOptions) => (await import('./hyperopt.js')).hyperoptAction(opts, deps));
}
