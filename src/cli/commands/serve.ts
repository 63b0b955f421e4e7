/**
 * `pnlopt serve [--db PATH] [--port N] [--host 127.0.0.1]`: the run list and each run's report in a
 * browser (src/jobs/serve.ts), read-only on the database: every request opens the store read-only,
 * so the list shows runs stored while it serves. Stops on Ctrl-C (SIGINT) or SIGTERM, exit 0.
 */
import { codeVersion } from '../../paths.js';
import { startServer, type RunningServer } from '../../jobs/serve.js';
import { chartLibrarySource } from '../../report/html/chart-library.js';
import type { RunListRow } from '../../report/html/model.js';
import { renderRunList } from '../../report/html/render.js';
import { withInterrupt } from '../interrupt.js';
import { printResult } from '../options.js';
import { reportHtml } from './report.js';
import { listRuns, withRunStore, type StoreOptions } from './runs.js';

export interface ServeOptions extends StoreOptions {
  port: number;
  host: string;
}

/** The run list page of the store the options name. */
export function runListHtml(opts: StoreOptions): string {
  return withRunStore(opts, (open) => {
    const runs = listRuns(open.store, undefined, open.cfg).map((r): RunListRow => ({
      run_id: r.run_id, kind: r.kind, families: r.families, status: r.status, started_at: r.started_at, budget: r.budget,
      evaluated: r.evaluated, primary_objective: r.primary_objective, best: r.best, adopted: r.adopted,
    }));
    return renderRunList({ title: 'pnlopt runs', generator: codeVersion(), database: open.path, runs }, chartLibrarySource());
  });
}

/** Start serving the store the options name; it is opened once first, so a bad --db is refused before listening. */
export async function startServing(opts: ServeOptions): Promise<RunningServer> {
  withRunStore(opts, () => undefined);
  return startServer(opts.host, opts.port, { runList: () => runListHtml(opts), report: async (runId) => (await reportHtml(opts, runId)).html });
}

/** Run `pnlopt serve` (declared in serve-command.ts, which loads this module when the command runs). */
export async function serveAction(opts: ServeOptions): Promise<void> {
  const server = await startServing(opts);
  printResult(opts, { url: server.url }, () => `serving the runs of the database at ${server.url} (Ctrl-C stops)`);
  await withInterrupt((signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })));
  await server.close();
}
