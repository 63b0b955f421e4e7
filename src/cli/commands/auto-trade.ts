/**
 * `pnlopt auto-trade`, the action (declared in auto-trade-command.ts): `pnlopt paper --from START
 * --to END` on the window of the flags or of TICKERS / START_DATE / END_DATE, checked against the
 * data first so that a message names the flag or variable given; with HYPEROPT_ROUNDS > 0,
 * `pnlopt hyperopt` on the same tickers and dates.
 */
import { alignPanel } from '../../data/panel.js';
import { checkWindow, windowBars } from '../../jobs/etl.js';
import { configFrom } from '../command-config.js';
import { dataFiles, loadData } from '../data-args.js';
import { hyperoptRoundsFromEnv, resolveWindow, type EntryWindowOptions, type ResolvedWindow } from '../env-window.js';
import type { CommonOptions } from '../options.js';
import { paperAction } from './paper.js';

export interface AutoTradeOptions extends CommonOptions, EntryWindowOptions {
  data?: string[];
  db?: string;
  family?: string;
}

export async function autoTradeAction(opts: AutoTradeOptions): Promise<void> {
  const window = resolveWindow(opts);
  const rounds = hyperoptRoundsFromEnv();
  if (rounds > 0) return delegateToHyperopt(opts, window, rounds);
  const cfg = configFrom(opts);
  const data = loadData(cfg, dataFiles(cfg, opts.data), true);
  checkWindow(data, window);
  // Only the dates given are checked here; runPaper picks the default start.
  windowBars(alignPanel(data, window.tickers).time, window, 0);
  return paperAction({ ...opts, tickers: window.tickers, from: window.start, to: window.end });
}

/** `pnlopt hyperopt --rounds N` with the same tickers, dates, data, store and config (`HYPEROPT_ROUNDS` > 0: run and auto-trade). */
export async function delegateToHyperopt(opts: CommonOptions & { data?: string[]; db?: string; workers?: number }, window: ResolvedWindow, rounds: number): Promise<void> {
  return (await import('./hyperopt.js')).hyperoptAction({
    tickers: window.tickers, start: window.start, end: window.end, rounds, db: opts.db, data: opts.data, workers: opts.workers,
    configDir: opts.configDir, set: opts.set, json: opts.json, quiet: opts.quiet,
  });
}
