/**
 * `pnlopt check-triggers`, the action (declared in check-triggers-command.ts): the re-optimizations
 * due and why (src/jobs/triggers.ts), recorded as pending requests; with `--run`, every pending
 * request carried out and marked done. The store is checked before any work and opened once every
 * ticker is labelled.
 */
import { checkTriggers, runPending, type DueTrigger, type PendingRun, type TriggerCheck } from '../../jobs/triggers.js';
import { poolSettings } from '../../pool/settings.js';
import type { DatabaseManager } from '../../store/database.js';
import { configFrom } from '../command-config.js';
import { dataFiles, dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { forecastNotes } from '../forecast-notes.js';
import { interruptedBeforeRun, reportRunEnd, withInterrupt } from '../interrupt.js';
import { note, printResult, type CommonOptions } from '../options.js';
import { checkStorePath } from '../path-checks.js';
import { renderTable, wrapWords } from '../table.js';
import type { CliDeps } from './index.js';

export interface CheckTriggersOptions extends CommonOptions {
  data?: string[];
  tickers?: string[];
  family?: string;
  db?: string;
  run?: boolean;
  workers?: number;
}

/** Run `pnlopt check-triggers`. */
export async function checkTriggersAction(opts: CheckTriggersOptions, deps: CliDeps): Promise<void> {
  const cfg = configFrom(opts);
  const data = loadData(cfg, dataFiles(cfg, opts.data), opts.quiet);
  const store = dbPath(cfg, opts.db);
  checkStorePath(store, '--db');
  const pool = opts.run === true ? poolSettings(cfg, { workers: opts.workers, workerFile: deps.workerFile }) : undefined;
  const families = opts.family === undefined ? undefined : [opts.family];
  let dbm: DatabaseManager | undefined;
  const open = (): DatabaseManager => (dbm ??= openStoreForWrite(store));
  try {
    const check = await checkTriggers({ cfg, data, tickers: opts.tickers, families, dbm: open });
    if (pool === undefined) {
      printResult(opts, check, () => checkText(check, false));
      return;
    }
    let interrupt: AbortSignal | undefined;
    const ran = await withInterrupt((signal) => {
      interrupt = signal;
      return runPending({
        cfg, data, tickers: opts.tickers, families, dbm: open, pool, signal,
        onStart: (family, regime, runId) => note(opts, `run ${runId} started: ${family} in regime ${regime}`),
        onForecasts: forecastNotes(opts),
      });
    }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
    if (ran === undefined) return;
    printResult(opts, { ...check, ran }, () => `${checkText(check, true)}\n\n${ranText(ran)}`);
    const last = ran.at(-1);
    if (last !== undefined && (last.status === 'interrupted' || last.status === 'failed')) reportRunEnd(last.run_id!, last.status, interrupt);
  } finally {
    dbm?.close();
  }
}

/** The due triggers as a table, their reasons below it by row number, then the pending count. */
function checkText(check: TriggerCheck, running: boolean): string {
  const pending = `${check.pending} request(s) pending${running || check.pending === 0 ? '' : ': pnlopt check-triggers --run carries them out'}`;
  if (check.due.length === 0) return `no re-optimization due; ${pending}`;
  const table = renderTable(
    ['#', 'family', 'regime', 'trigger', 'ticker', 'recorded'],
    check.due.map((d, i) => [i + 1, d.family, d.regime, d.trigger, d.ticker ?? '-', d.recorded ? 'new' : 'already pending']),
  );
  return [table, '', ...check.due.map((d: DueTrigger, i) => wrapWords(`${i + 1}. `, d.reason, '   ')), '', pending].join('\n');
}

function ranText(ran: readonly PendingRun[]): string {
  if (ran.length === 0) return 'nothing to run';
  const table = renderTable(
    ['#', 'family', 'regime', 'triggers', 'status', 'run', 'adopted', 'marked done'],
    ran.map((r, i) => [i + 1, r.family, r.regime, r.triggers.join(','), r.status, r.run_id ?? '-', r.adopted === null ? '-' : r.adopted ? 'yes' : 'no', r.marked]),
  );
  return [table, '', ...ran.map((r, i) => wrapWords(`${i + 1}. `, r.reason, '   '))].join('\n');
}
