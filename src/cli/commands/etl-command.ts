/** `pnlopt etl`, declared: its name, options and help. The action (etl.ts) is loaded when the command runs. */
import type { Command } from 'commander';
import { withEntryOptions } from '../entry-options.js';
import { withCommonOptions } from '../options.js';
import type { EtlOptions } from './etl.js';

export function registerEtl(program: Command): void {
  withCommonOptions(
    withEntryOptions(
      program
        .command('etl')
        .description('the ETL entry point: ingest the tickers\' bars of the window with data-quality snapshots, then label every ticker\'s regimes (the bars before --start read as history) and record the window\'s drift rows, in one transaction'),
      'the window stored (earlier bars are read as the regimes\' history)',
      'the data\'s first bar',
    ),
  ).action(async (opts: EtlOptions) => (await import('./etl.js')).etlAction(opts));
}
