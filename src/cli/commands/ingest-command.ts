/** `pnlopt ingest`, declared: its name, options and help. The action (ingest.ts) is loaded when the command runs. */
import { Option, type Command } from 'commander';
import { INGEST_MODES } from '../../store/ingest.js';
import { DATA_HELP, DB_HELP, withCommonOptions } from '../options.js';
import type { IngestOptions } from './ingest.js';

export function registerIngest(program: Command): void {
  withCommonOptions(
    program
      .command('ingest')
      .description('validate OHLCV files (CSV or Arrow IPC) and upsert them into the SQLite store (or replace their tickers\' bars), with a data-quality snapshot per ticker')
      .option('--data <files...>', DATA_HELP)
      .option('--db <path>', DB_HELP)
      .addOption(
        new Option('--mode <mode>', "upsert: add and update bars, keep the others; replace: also remove each ingested ticker's stored bars that the source lacks")
          .choices(INGEST_MODES)
          .default('upsert'),
      ),
  ).action(async (opts: IngestOptions) => (await import('./ingest.js')).ingestAction(opts));
}
