/**
 * `pnlopt evaluate`: evaluate a given population (one candidate per CSV row) over the worker pool
 * (the evaluate job, src/jobs/evaluate.ts) on the evaluation window (`--start`, `--end`). SIGINT / SIGTERM interrupt the run (exit 130 / 143),
 * `--resume RUN_ID` finishes it.
 */
import { paramLayout } from '../../config/param-layout.js';
import { readCandidatesCsv } from '../../data/candidates-csv.js';
import { alignPanel } from '../../data/panel.js';
import { UsageError } from '../../errors.js';
import { runEvaluation, type EvaluateSummary } from '../../jobs/evaluate.js';
import { poolSettings } from '../../pool/settings.js';
import { checkOutputPath } from '../../output.js';
import type { DatabaseManager } from '../../store/database.js';
import { dataFiles, dataInputs, dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { checkDistinct, checkStorePath } from '../path-checks.js';
import { absolutePath, absoluteSources, restoreInvocation, type Invocation } from '../resume.js';
import { interruptedBeforeRun, reportRunEnd, withInterrupt } from '../interrupt.js';
import { forecastNotes } from '../forecast-notes.js';
import { configWithWindows } from '../command-config.js';
import { configDirOf, note, printResult, type CommonOptions } from '../options.js';
import { windowPeriod, type WindowOptions } from '../window-options.js';
import { createProgress } from '../progress.js';
import type { CliDeps } from './index.js';

export interface EvaluateOptions extends CommonOptions, WindowOptions {
  data?: string[];
  tickers?: string[];
  /** Required, unless `--resume` restores it from the run. */
  strategy?: string;
  candidates?: string;
  out?: string;
  workers?: number;
  allowOversubscribe?: boolean;
  batch?: number;
  db?: string;
  resume?: string;
  feeBps?: number;
}

export interface EvaluateHooks {
  /** Aborting it interrupts the run. */
  readonly signal?: AbortSignal;
  /** Command line recorded with a new run. */
  readonly command?: string;
  /** Worker module of the pool (default: the compiled pool worker). */
  readonly workerFile?: string | undefined;
}

/**
 * Check the inputs in the order a user fixes them (config, output, data, then the candidates, whose
 * columns depend on the data's tickers), then run the
 * job. With `--resume`, the run's recorded options fill in what is not given (`restoreInvocation`).
 */
export async function runEvaluate(given: EvaluateOptions, hooks: EvaluateHooks = {}): Promise<EvaluateSummary> {
  const opts = restoreInvocation(given, 'evaluate');
  const { strategy, candidates, out } = opts;
  if (strategy === undefined || candidates === undefined || out === undefined) {
    throw new UsageError(`give ${[['--strategy', strategy], ['--candidates', candidates], ['--out', out]].filter(([, v]) => v === undefined).map(([f]) => f).join(', ')} (or --resume RUN_ID)`);
  }
  const cfg = configWithWindows(opts);
  checkOutputPath(out);
  const pool = poolSettings(cfg, { workers: opts.workers, batch: opts.batch, allowOversubscribe: opts.allowOversubscribe, workerFile: hooks.workerFile });
  const sources = dataFiles(cfg, opts.data);
  const data = loadData(cfg, sources, opts.quiet);
  // The candidates after the data: a basket family has a column per ticker of the panel.
  const layout = paramLayout(cfg, strategy, alignPanel(data, opts.tickers).tickers);
  const table = readCandidatesCsv(candidates, layout);
  // The store is checked now and opened only once the job has checked the rest.
  const store = dbPath(cfg, opts.db);
  checkStorePath(store, '--db');
  checkDistinct(out, '--out', [['--candidates', candidates], ...dataInputs(sources), ['--db', store]]);
  const invocation: Invocation = {
    kind: 'evaluate',
    options: {
      configDir: absolutePath(configDirOf(opts)) ?? null, set: opts.set ?? [], data: absoluteSources(sources), tickers: opts.tickers ?? null,
      strategy, candidates: absolutePath(candidates), out: absolutePath(out), feeBps: opts.feeBps ?? null, start: opts.start ?? null, end: opts.end ?? null,
    },
  };
  let dbm: DatabaseManager | undefined;
  let progress: ReturnType<typeof createProgress> | undefined;
  try {
    return await runEvaluation({
      cfg, layout, table, out, data, tickers: opts.tickers, feeBps: opts.feeBps, pool, dbm: () => (dbm = openStoreForWrite(store)), resume: opts.resume, invocation,
      command: hooks.command ?? 'pnlopt evaluate',
      signal: hooks.signal,
      // Progress starts once the inputs are checked and the run is open.
      onStart: (runId, pending, total) => {
        note(opts, `run ${runId}: ${pending} of ${total} candidates to evaluate (after an interrupt: --resume ${runId})`);
        if (opts.quiet !== true) progress = createProgress({ label: 'evaluate', total: pending, intervalS: cfg.runtime.runtime.progress_log_interval_s, stream: process.stderr });
      },
      onProgress: (n) => progress?.update(n),
      onForecasts: forecastNotes(opts),
    });
  } finally {
    progress?.stop();
    dbm?.close();
  }
}

/** Run `pnlopt evaluate` (declared in evaluate-command.ts, which loads this module when the command runs). */
export async function evaluateAction(opts: EvaluateOptions, deps: CliDeps): Promise<void> {
  let interrupt: AbortSignal | undefined;
  const summary = await withInterrupt((signal) => {
    interrupt = signal;
    return runEvaluate(opts, { signal, command: ['pnlopt', ...process.argv.slice(2)].join(' '), workerFile: deps.workerFile });
  }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
  if (summary === undefined) return;
  // Where the CSV goes, even when the run stopped before writing it: the summary must not land in its stream.
  const dataOut = opts.out ?? (opts.resume !== undefined ? restoreInvocation(opts, 'evaluate').out : undefined);
  printResult(opts, summary, () => summaryText(summary), dataOut);
  reportRunEnd(summary.run_id, summary.status, interrupt, summary);
}

function summaryText(s: EvaluateSummary): string {
  const done = s.already_done > 0 ? `, ${s.already_done} already stored` : '';
  const out = s.out !== null ? `\nwrote ${s.out}` : '';
  return `run ${s.run_id}: ${s.status}, ${s.candidates} candidates (${s.evaluated} evaluated, ${s.failed} failed${done}) in ${s.seconds.toFixed(1)} s with ${s.workers} workers, batch ${s.batch_size}\nwindow: ${windowPeriod(s.window)}${out}`;
}
