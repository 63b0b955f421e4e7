/**
 * `pnlopt hyperopt`, the action (declared in hyperopt-command.ts): the higher-order driver
 * (src/jobs/hyperopt.ts) on the window of the flags or of TICKERS / START_DATE / END_DATE. `run` and
 * `auto-trade` delegate here when HYPEROPT_ROUNDS > 0. HYPEROPT_EXPLORE_PCT sets the starting
 * explore share.
 */
import { existsSync } from 'node:fs';
import { runHyperopt, type HyperoptSummary } from '../../jobs/hyperopt.js';
import { poolSettings } from '../../pool/settings.js';
import type { DatabaseManager } from '../../store/database.js';
import { UsageError } from '../../errors.js';
import { configFrom } from '../command-config.js';
import { dataFiles, dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { hyperoptRoundsFromEnv, resolveWindow, type EntryWindowOptions } from '../env-window.js';
import { interruptedBeforeRun, withInterrupt } from '../interrupt.js';
import { ENV, fromEnv, note, printResult, type CommonOptions } from '../options.js';
import { checkStorePath } from '../path-checks.js';
import { fmt, renderTable } from '../table.js';
import type { CliDeps } from './index.js';

export interface HyperoptOptions extends CommonOptions, EntryWindowOptions {
  rounds?: number;
  logDir?: string;
  resume?: string;
  workers?: number;
  data?: string[];
  db?: string;
}

export async function hyperoptAction(opts: HyperoptOptions, deps: CliDeps = {}): Promise<void> {
  const cfg = configFrom(opts);
  const rounds = opts.rounds ?? (hyperoptRoundsFromEnv() || cfg.hyperopt.hyperopt.rounds);
  if (rounds < 1) throw new UsageError(`--rounds ${rounds}: expected a whole number of trials >= 1 (give --rounds, ${ENV.hyperoptRounds} or hyperopt.rounds)`);
  const window = resolveWindow(opts);
  const data = loadData(cfg, dataFiles(cfg, opts.data), opts.quiet);
  const store = dbPath(cfg, opts.db);
  checkStorePath(store, '--db');
  // A run to resume lives in an existing store: a missing one is not created for nothing.
  if (opts.resume !== undefined && !existsSync(store)) throw new UsageError(`--resume ${opts.resume}: no database at ${store} (give the --db the run was started with)`);
  const explore = fromEnv(ENV.hyperoptExplorePct);
  const explorePct = explore === undefined ? undefined : Number(explore);
  if (explorePct !== undefined && !Number.isFinite(explorePct)) throw new UsageError(`${ENV.hyperoptExplorePct}: expected a percentage, got "${explore}"`);
  const pool = poolSettings(cfg, { workers: opts.workers, workerFile: deps.workerFile });
  let dbm: DatabaseManager | undefined;
  let interrupt: AbortSignal | undefined;
  try {
    const summary = await withInterrupt((signal) => {
      interrupt = signal;
      return runHyperopt({
        cfg, configWith: (sets) => configFrom({ ...opts, set: [...(opts.set ?? []), ...sets] }), data, tickers: window.tickers, start: window.start, end: window.end, names: window.names,
        rounds, explorePct, dbm: () => (dbm ??= openStoreForWrite(store)), pool, logDir: opts.logDir ?? 'logs/hyperopt', resume: opts.resume, signal,
        onTrialStart: (p) => note(opts, `trial ${p.trial} (${p.arm}, explore ${p.explore_pct}%, held ${p.held}): ${Object.entries(p.params).map(([k, v]) => `${k}=${v}`).join(' ')}`),
        onTrial: (t) => note(opts, `trial ${t.trial}: ${t.score === null ? `failed (${t.error})` : `score ${fmt(t.score)}`} in ${t.duration_s.toFixed(1)} s`),
      });
    }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
    if (summary !== undefined) printResult(opts, jsonOf(summary), () => hyperoptText(summary));
  } finally {
    dbm?.close();
  }
}

/** The issue's JSON: run id, rounds, the best trial, the log; and every trial. */
function jsonOf(s: HyperoptSummary): unknown {
  return { run_id: s.run_id, rounds: s.rounds, best: s.best, best_run_id: s.best === null ? null : `${s.run_id}_best`, log: s.log, trials: s.trials };
}

function hyperoptText(s: HyperoptSummary): string {
  const rows = s.trials.map((t) => [String(t.trial), t.arm, fmt(t.explore_pct), t.held, Object.entries(t.params).map(([k, v]) => `${k}=${v}`).join(' '), t.score === null ? `failed: ${t.error}` : fmt(t.score), t.duration_s.toFixed(1)]);
  return [
    `hyperopt ${s.run_id}: ${s.rounds} trials`,
    renderTable(['trial', 'arm', 'explore_pct', 'held', 'params', 'score', 'seconds'], rows),
    s.best === null ? 'no trial scored: nothing re-run' : `best: trial ${s.best.trial}, realized total_profit ${fmt(s.best.score)}; re-run as ${s.run_id}_best in the main database`,
    `log: ${s.log}`,
  ].join('\n');
}
