/** `pnlopt show`, declared: its name, options and help. The action (show.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DB_HELP, withCommonOptions } from '../options.js';
import type { StoreOptions } from './runs.js';

export function registerShow(program: Command): void {
  withCommonOptions(
    program
      .command('show')
      .description("print a stored run: its summary (an optimize run's front with parameters), or its record when it has no summary yet")
      .argument('<run-id>', 'the run (pnlopt runs lists them)')
      .option('--db <path>', DB_HELP),
  ).action(async (runId: string, opts: StoreOptions) => (await import('./show.js')).showAction(runId, opts));
}
