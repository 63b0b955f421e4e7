/** `pnlopt runs`, declared: its name, options and help. The action (runs.ts) is loaded when the command runs. */
import { Option, type Command } from 'commander';
import type { StoredRunStatus } from '../../store/run-store.js';
import { DB_HELP, withCommonOptions } from '../options.js';
import type { RunsOptions } from './runs.js';

/** The statuses `--status` picks from. */
export const RUN_STATUSES: readonly StoredRunStatus[] = ['running', 'completed', 'interrupted', 'failed'];

export function registerRuns(program: Command): void {
  withCommonOptions(
    program
      .command('runs')
      .description('list the stored runs, oldest first: kind, families, optimizer, status, candidates stored and failed, best objective, adoption')
      .option('--db <path>', DB_HELP)
      .addOption(new Option('--status <status>', 'only runs with this status').choices(RUN_STATUSES)),
  ).action(async (opts: RunsOptions) => (await import('./runs.js')).runsAction(opts));
}
