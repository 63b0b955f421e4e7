/**
 * `pnlopt export RUN_ID --out FILE.csv|-`: every stored candidate of a run as CSV (columns and
 * number format: src/jobs/export.ts), streamed from the store to the output in pieces, so a run
 * of any size is exported in bounded memory. `-` is standard output.
 */
import type { Command } from 'commander';
import { DB_HELP } from '../data-args.js';
import { exportRunCsv } from '../../jobs/export.js';
import { checkOutputPath, writeAll, writeOutputWith } from '../../output.js';
import { printResult } from '../options.js';
import { findRun, withRunStore, type StoreOptions } from './runs.js';

interface ExportOptions extends StoreOptions {
  out: string;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write every stored candidate of a run as CSV: id, family, parameters, metrics, feasibility, violation, front rank, crowding')
    .argument('<run-id>', 'the run (pnlopt runs lists them)')
    .requiredOption('--out <file>', 'CSV to write, or - for standard output')
    .option('--db <path>', DB_HELP)
    .option('--config-dir <dir>', 'folder with the YAML config files (default: the package config/)')
    .action((runId: string, opts: ExportOptions) => {
      const result = withRunStore(opts, (open) => {
        const run = findRun(open, runId);
        checkOutputPath(opts.out, '--out');
        let rows = 0;
        writeOutputWith(opts.out, (fd) => (rows = exportRunCsv(open.store, run, (chunk) => writeAll(fd, chunk))), '--out');
        return { run_id: run.run_id, rows, out: opts.out };
      });
      printResult(opts, result, () => `wrote ${result.rows} candidate(s) of run ${result.run_id} to ${result.out}`, opts.out);
    });
}
