/**
 * `pnlopt export RUN_ID --out FILE.csv|-`: every stored candidate of a run as CSV (columns and
 * number format: src/jobs/export.ts), streamed from the store to the output in pieces, so a run
 * of any size is exported in bounded memory. `-` is standard output.
 */
import { exportRunCsv } from '../../jobs/export.js';
import { checkOutputPath, writeAll, writeOutputWith } from '../../output.js';
import { printResult } from '../options.js';
import { findRun, withRunStore, type StoreOptions } from './runs.js';

export interface ExportOptions extends StoreOptions {
  out: string;
}

/** Run `pnlopt export` (declared in export-command.ts, which loads this module when the command runs). */
export function exportAction(runId: string, opts: ExportOptions): void {
  const result = withRunStore(opts, (open) => {
    const run = findRun(open, runId);
    checkOutputPath(opts.out, '--out');
    let rows = 0;
    writeOutputWith(opts.out, (fd) => (rows = exportRunCsv(open.store, run, (chunk) => writeAll(fd, chunk))), '--out');
    return { run_id: run.run_id, rows, out: opts.out };
  });
  printResult(opts, result, () => `wrote ${result.rows} candidate(s) of run ${result.run_id} to ${result.out}`, opts.out);
}
