/**
 * `pnlopt report --run RUN_ID --out FILE.html|-`: one self-contained HTML page of a stored run
 * (src/jobs/report.ts gathers it, src/report/html/ renders it; docs/report.md). Also the page
 * `pnlopt serve` serves and `pnlopt optimize` writes beside summary.json.
 *
 * The run's config and data are restored from its record (`invocation_json`: config folder, file,
 * `--set`, dates, data sources, as a resume restores them; `--config-dir` says where the config
 * lives now): the best configuration is simulated again on them. When they are gone or changed,
 * the page says so and shows what the store holds.
 */
import { chartLibrarySource } from '../../report/html/chart-library.js';
import { renderReport } from '../../report/html/render.js';
import { completeReport, readStoredReport, type Replay, type ReportScope, type StoredReport } from '../../jobs/report.js';
import { InputError, UsageError } from '../../errors.js';
import { checkOutputPath, writeOutput } from '../../output.js';
import type { RunRow } from '../../store/run-store.js';
import { loadData } from '../data-args.js';
import { printResult } from '../options.js';
import { runConfig } from '../resume.js';
import { findRun, withRunStore, type OpenStore, type StoreOptions } from './runs.js';

export interface ReportOptions extends StoreOptions {
  run: string;
  out: string;
}

/** The run `runId` of the open store, refusing a store with no run at all by saying so. */
export function reportedRun(open: OpenStore, runId: string): RunRow {
  if (open.store.runs().length === 0) throw new UsageError(`${open.path}: no runs stored yet (pnlopt optimize and evaluate store them)`);
  return findRun(open, runId);
}

/** The config and data the run recorded, or why they cannot be had now. */
export function restoredReplay(run: RunRow, configDir: string | undefined): Replay {
  try {
    const recorded = runConfig(run, configDir);
    if (recorded === null) return { unavailable: 'the run recorded no settings to restore its config and data from' };
    return { cfg: recorded.cfg, data: loadData(recorded.cfg, recorded.options.data as string[] | undefined, true) };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { unavailable: `the run's config or data cannot be loaded now (${err.message.split('\n')[0]})` };
  }
}

/** The report page of run `runId` in the store the options name (read-only). */
export async function reportHtml(opts: StoreOptions, runId: string, scope?: ReportScope): Promise<{ run: RunRow; html: string }> {
  const stored: StoredReport = withRunStore(opts, (open) => readStoredReport(open.store, reportedRun(open, runId)));
  const model = await completeReport(stored, restoredReplay(stored.run, opts.configDir), scope);
  return { run: stored.run, html: renderReport(model, chartLibrarySource()) };
}

/** Write the report of run `runId` to `out` (`-`: standard output). @returns the run's id and the bytes written */
export async function writeReport(opts: StoreOptions, runId: string, out: string, scope?: ReportScope): Promise<{ run_id: string; out: string; bytes: number }> {
  checkOutputPath(out, '--out');
  const { run, html } = await reportHtml(opts, runId, scope);
  writeOutput(out, html, '--out');
  return { run_id: run.run_id, out, bytes: Buffer.byteLength(html) };
}

/** Run `pnlopt report` (declared in report-command.ts, which loads this module when the command runs). */
export async function reportAction(opts: ReportOptions): Promise<void> {
  const result = await writeReport(opts, opts.run, opts.out);
  printResult(opts, result, () => `wrote the report of run ${result.run_id} to ${result.out} (${result.bytes} bytes)`, opts.out);
}
