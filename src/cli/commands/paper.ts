/**
 * `pnlopt paper`, the action (declared in paper-command.ts): a paper-trading session over the
 * data (src/jobs/paper.ts); prints the session's books, derived from its fills and the closes.
 */
import { runPaper, type PaperSummary } from '../../jobs/paper.js';
import type { DatabaseManager } from '../../store/database.js';
import { configFrom } from '../command-config.js';
import { dataFiles, dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { interruptedBeforeRun, withInterrupt } from '../interrupt.js';
import { printResult, type CommonOptions } from '../options.js';
import { createProgress, type ProgressReporter } from '../progress.js';
import { checkStorePath } from '../path-checks.js';
import { fmt, renderTable } from '../table.js';

export interface PaperOptions extends CommonOptions {
  data?: string[];
  tickers?: string[];
  family?: string;
  db?: string;
  from?: string;
  to?: string;
}

export async function paperAction(opts: PaperOptions): Promise<void> {
  const cfg = configFrom(opts);
  const data = loadData(cfg, dataFiles(cfg, opts.data), opts.quiet);
  const store = dbPath(cfg, opts.db);
  checkStorePath(store, '--db');
  let dbm: DatabaseManager | undefined;
  let interrupt: AbortSignal | undefined;
  let progress: ProgressReporter | undefined;
  const onProgress = (done: number, total: number): void => {
    if (opts.quiet !== true) progress ??= createProgress({ label: 'paper', unit: 'bars', total, intervalS: cfg.runtime.runtime.progress_log_interval_s, stream: process.stderr });
    progress?.update(done);
  };
  const stopProgress = (): void => {
    progress?.stop();
    progress = undefined;
  };
  try {
    const summary = await withInterrupt((signal) => {
      interrupt = signal;
      return runPaper({ cfg, data, tickers: opts.tickers, family: opts.family, from: opts.from, to: opts.to, dbm: () => (dbm ??= openStoreForWrite(store)), signal, onProgress });
    }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
    stopProgress();
    if (summary !== undefined) printResult(opts, summary, () => paperText(summary));
  } finally {
    stopProgress();
    dbm?.close();
  }
}

export function paperText(s: PaperSummary): string {
  const held = Object.entries(s.positions).filter(([, u]) => u !== 0);
  return [
    `paper session ${s.session_id}: ${s.family} on ${s.tickers.join(', ')}, ${s.first_bar} .. ${s.last_bar} (${s.bars} bars, ${s.new_bars} new)`,
    `  ${s.fills} fills, ${s.trades} closed trades, realized PnL ${fmt(s.realized_pnl)}`,
    `  cash ${fmt(s.cash)}, equity ${fmt(s.final_equity)} (initial ${fmt(s.initial_capital)})${held.length > 0 ? `; positions ${held.map(([t, u]) => `${t} ${fmt(u)}`).join(', ')}` : ''}`,
    `  sizing: ${s.regime_state === null ? 'no regime-state file: the plain capital-at-risk cap' : `regime state from ${s.regime_state}`}`,
    ...(s.routes.length > 0
      ? ['', renderTable(['regime', 'source', 'config', 'decisions', 'why'], s.routes.map((r) => [r.regime, r.source, r.config_id === null ? '-' : String(r.config_id), String(r.decisions), r.reason]))]
      : []),
  ].join('\n');
}
