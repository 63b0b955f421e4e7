/** `pnlopt optimize`: a whole search, stored and summarised; runs on the embedded data when given nothing. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { MAX_BUDGET, OPTIMIZER_KINDS, type OptimizerKind } from '../../config/optimizer-settings.js';
import { EXIT_NOT_ADOPTED, UsageError } from '../../errors.js';
import { createProgress, type ProgressReporter } from '../progress.js';
import { frontTable } from '../front-table.js';
import { runOptimization, type OptimizationSummary } from '../../jobs/optimize.js';
import type { DatabaseManager } from '../../store/database.js';
import { DATA_HELP, dataFiles, dataInputs, DB_HELP, dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { checkDistinct, checkOutputFolder, checkStorePath } from '../path-checks.js';
import { absolutePath, absoluteSources, restoreInvocation, type Invocation } from '../resume.js';
import { interruptedBeforeRun, reportRunEnd, withInterrupt } from '../interrupt.js';
import { forecastNotes } from '../forecast-notes.js';
import type { CliDeps } from './index.js';
import { configDirOf, intArg, note, numArg, printResult, withCommonOptions, type CommonOptions } from '../options.js';
import { configWithWindows, withWindowOptions, type WindowOptions } from '../window-options.js';
import { poolSettings } from '../../pool/settings.js';

export interface OptimizeOptions extends CommonOptions, WindowOptions {
  config?: string;
  data?: string[];
  tickers?: string[];
  family?: string;
  optimizer?: string;
  budget?: number;
  maxSeconds?: number;
  workers?: number;
  allowOversubscribe?: boolean;
  batch?: number;
  seed?: number;
  out?: string;
  db?: string;
  resume?: string;
  failIfNotAdopted?: boolean;
}

/**
 * Run the job with the command line over the config defaults; the store holds everything whatever
 * happens. With `--resume`, the run's recorded options fill in what is not given (`restoreInvocation`).
 */
export async function runOptimize(
  given: OptimizeOptions,
  signal?: AbortSignal,
  deps: CliDeps = {},
  /** Called with the store once it is opened, after every input is checked (the demo ingests there). */
  onOpen?: (dbm: DatabaseManager) => void,
): Promise<OptimizationSummary> {
  const opts = restoreInvocation(given, 'optimize');
  const cfg = configWithWindows(opts);
  const defaults = cfg.strategy.optimizer.defaults;
  const optimizer = (opts.optimizer ?? defaults.optimizer) as OptimizerKind;
  if (!OPTIMIZER_KINDS.includes(optimizer)) throw new UsageError(`--optimizer: expected one of ${OPTIMIZER_KINDS.join(', ')}, got "${opts.optimizer}"`);
  const family = opts.family ?? defaults.family;
  const budget = opts.budget ?? defaults.budget;
  const seed = opts.seed ?? defaults.seed;
  const sources = dataFiles(cfg, opts.data);
  const data = loadData(cfg, sources, opts.quiet);
  // The paths written, checked before any work; the store is opened only once the job has checked the rest.
  const store = dbPath(cfg, opts.db);
  checkStorePath(store, '--db');
  checkOutputFolder(opts.out ?? cfg.runtime.runtime.runs_dir, opts.out !== undefined ? '--out' : 'runtime.runs_dir');
  if (opts.out !== undefined) checkDistinct(join(opts.out, 'summary.json'), '--out', [...dataInputs(sources), ['--db', store]]);
  const invocation = (outDir: string): Invocation => ({
    kind: 'optimize',
    options: {
      configDir: absolutePath(configDirOf(opts)) ?? null, config: absolutePath(opts.config) ?? null, set: opts.set ?? [],
      data: absoluteSources(sources), tickers: opts.tickers ?? null, family, optimizer, budget, seed, out: absolutePath(outDir),
      start: opts.start ?? null, end: opts.end ?? null, holdoutStart: opts.holdoutStart ?? null,
    },
  });
  let dbm: DatabaseManager | undefined;
  let progress: ProgressReporter | undefined;
  try {
    return await runOptimization({
      cfg,
      data,
      ...(opts.tickers !== undefined ? { tickers: opts.tickers } : {}),
      families: family.split(',').map((f) => f.trim()),
      optimizer,
      budget,
      maxSeconds: opts.maxSeconds ?? Infinity,
      seed,
      pool: poolSettings(cfg, { workers: opts.workers, batch: opts.batch, allowOversubscribe: opts.allowOversubscribe, workerFile: deps.workerFile }),
      dbm: () => {
        dbm = openStoreForWrite(store);
        onOpen?.(dbm);
        return dbm;
      },
      ...(opts.out !== undefined ? { outDir: opts.out } : {}),
      ...(opts.resume !== undefined ? { resume: opts.resume } : {}),
      ...(signal !== undefined ? { signal } : {}),
      invocation,
      // Progress starts once the inputs are checked and the run is open.
      onStart: (runId, remaining) => {
        note(opts, `run ${runId} ${opts.resume !== undefined ? 'resumed' : 'started'} (after an interrupt: --resume ${runId})`);
        if (opts.quiet !== true) progress = createProgress({ label: 'optimize', total: remaining, intervalS: cfg.runtime.runtime.progress_log_interval_s, stream: process.stderr });
      },
      onProgress: (finished) => progress?.update(finished),
      onForecasts: forecastNotes(opts),
    });
  } finally {
    progress?.stop();
    dbm?.close();
  }
}

/** Exit 3 (`--fail-if-not-adopted`) when a completed run adopted nothing. */
export function failIfNotAdopted(opts: { failIfNotAdopted?: boolean }, summary: OptimizationSummary): void {
  if (opts.failIfNotAdopted === true && summary.status === 'completed' && !summary.adopted) {
    process.stderr.write(`pnlopt: nothing adopted (${summary.adoption_reason}); exit ${EXIT_NOT_ADOPTED} (--fail-if-not-adopted)\n`);
    process.exitCode = EXIT_NOT_ADOPTED;
  }
}

export function registerOptimize(program: Command, deps: CliDeps): void {
  withWindowOptions(withCommonOptions(
    program
      .command('optimize')
      .description('search a strategy family under the guardrails, rank the Pareto front, gate the best on the hold-out, store everything')
      .option('--config <file>', 'strategy optimization config (default: config/strategy_optimization_config.yml)')
      .option('--data <files...>', DATA_HELP)
      .option('--tickers <names...>', 'tickers to trade (default: all in the data)')
      .option('--family <name[,name]>', 'strategy family; several (comma-separated) for the bandit (default: optimizer.defaults.family)')
      .option('--optimizer <kind>', `${OPTIMIZER_KINDS.join('|')} (default: optimizer.defaults.optimizer)`)
      .option('--budget <n>', `candidates to evaluate, at most ${MAX_BUDGET} and what runtime.memory_fraction of RAM holds (default: optimizer.defaults.budget)`, intArg(1, MAX_BUDGET))
      .option('--max-seconds <s>', 'also stop after this wall time (a run it stops is not reproducible)', numArg(0))
      .option('--workers <n>', 'worker threads (default and most: the available cores)', intArg(1))
      .option('--allow-oversubscribe', 'allow --workers above the available cores')
      .option('--batch <n>', 'candidates per task (default: chosen from the measured costs)', intArg(1))
      .option('--seed <s>', 'random seed (default: optimizer.defaults.seed)', intArg(0))
      .option('--out <dir>', 'folder for summary.json (default: runtime.runs_dir/<run id>)')
      .option('--db <path>', DB_HELP)
      .option('--resume <run-id>', 'continue an interrupted or killed run with the options it was started with; the finished candidates are not evaluated again')
      .option('--fail-if-not-adopted', `exit ${EXIT_NOT_ADOPTED} when the run completes but adopts nothing (for CI)`),
  ), true).action(async (opts: OptimizeOptions) => {
    let interrupt: AbortSignal | undefined;
    const summary = await withInterrupt((signal) => {
      interrupt = signal;
      return runOptimize(opts, signal, deps);
    }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
    if (summary === undefined) return;
    printResult(opts, summary, () => frontTable(summary));
    reportRunEnd(summary.run_id, summary.status, interrupt, summary);
    failIfNotAdopted(opts, summary);
  });
}
