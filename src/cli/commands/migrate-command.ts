/** `pnlopt migrate`, declared: its name, options and help. The action (migrate.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { DB_HELP, withCommonOptions } from '../options.js';
import type { MigrateOptions } from './migrate.js';

export function registerMigrate(program: Command): void {
  withCommonOptions(
    program
      .command('migrate')
      .description('upgrade a pnlopt store to the newest schema (reading a store never migrates it)')
      .option('--db <path>', DB_HELP),
  ).action(async (opts: MigrateOptions) => (await import('./migrate.js')).migrateAction(opts));
}
