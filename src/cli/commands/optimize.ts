/** `pnlopt optimize`: a whole search, stored and summarised; runs on the embedded data when given nothing. */
import type { Command } from 'commander';
import { OPTIMIZER_KINDS, type OptimizerKind } from '../../config/optimizer-settings.js';
import { UsageError } from '../../errors.js';
import { createProgress } from '../progress.js';
import { frontTable } from '../front-table.js';
import { runOptimization, type OptimizationSummary } from '../../jobs/optimize.js';
import { DatabaseManager } from '../../store/database.js';
import { dbPath, loadData } from '../data-args.js';
import { reportRunEnd, withInterrupt } from '../interrupt.js';
import type { CliDeps } from './index.js';
import { configFrom, intArg, numArg, printResult, withCommonOptions, type CommonOptions } from '../options.js';
import { poolSettings } from '../../pool/settings.js';

export interface OptimizeOptions extends CommonOptions {
  config?: string;
  data?: string[];
  tickers?: string[];
  family?: string;
  optimizer?: string;
  budget?: number;
  maxSeconds?: number;
  workers?: number;
  batch?: number;
  seed?: number;
  out?: string;
  db?: string;
  resume?: string;
}

/** Run the job with the command line over the config defaults; the store holds everything whatever happens. */
export async function runOptimize(opts: OptimizeOptions, signal?: AbortSignal, deps: CliDeps = {}): Promise<OptimizationSummary> {
  const cfg = configFrom(opts);
  const defaults = cfg.strategy.optimizer.defaults;
  const optimizer = (opts.optimizer ?? defaults.optimizer) as OptimizerKind;
  if (!OPTIMIZER_KINDS.includes(optimizer)) throw new UsageError(`--optimizer: expected one of ${OPTIMIZER_KINDS.join(', ')}, got "${opts.optimizer}"`);
  const families = (opts.family ?? defaults.family).split(',').map((f) => f.trim());
  const budget = opts.budget ?? defaults.budget;
  const data = loadData(cfg, opts.data);
  const dbm = new DatabaseManager(dbPath(cfg, opts.db));
  const progress = createProgress({ label: 'optimize', total: budget, intervalS: cfg.runtime.runtime.progress_log_interval_s, stream: process.stderr });
  try {
    return await runOptimization({
      cfg,
      data,
      ...(opts.tickers !== undefined ? { tickers: opts.tickers } : {}),
      families,
      optimizer,
      budget,
      maxSeconds: opts.maxSeconds ?? Infinity,
      seed: opts.seed ?? defaults.seed,
      pool: poolSettings(cfg, { workers: opts.workers, batch: opts.batch, workerFile: deps.workerFile }),
      dbm,
      ...(opts.out !== undefined ? { outDir: opts.out } : {}),
      ...(opts.resume !== undefined ? { resume: opts.resume } : {}),
      ...(signal !== undefined ? { signal } : {}),
      onProgress: (finished) => progress.update(finished),
    });
  } finally {
    progress.stop();
    dbm.close();
  }
}

export function registerOptimize(program: Command, deps: CliDeps): void {
  withCommonOptions(
    program
      .command('optimize')
      .description('search a strategy family under the guardrails, rank the Pareto front, gate the best on the hold-out, store everything')
      .option('--config <file>', 'strategy optimization config (default: config/strategy_optimization_config.yml)')
      .option('--data <files...>', 'OHLCV files, or db:PATH for an ingested store (default: the embedded data set)')
      .option('--tickers <names...>', 'tickers to trade (default: all in the data)')
      .option('--family <name[,name]>', 'strategy family; several (comma-separated) for the bandit (default: optimizer.defaults.family)')
      .option('--optimizer <kind>', `${OPTIMIZER_KINDS.join('|')} (default: optimizer.defaults.optimizer)`)
      .option('--budget <n>', 'candidates to evaluate (default: optimizer.defaults.budget)', intArg(1))
      .option('--max-seconds <s>', 'also stop after this wall time (a run it stops is not reproducible)', numArg(0))
      .option('--workers <n>', 'worker threads (default: available cores)', intArg(1))
      .option('--batch <n>', 'candidates per task (default: chosen from the measured costs)', intArg(1))
      .option('--seed <s>', 'random seed (default: optimizer.defaults.seed)', intArg(0))
      .option('--out <dir>', 'folder for summary.json (default: runtime.runs_dir/<run id>)')
      .option('--db <path>', 'SQLite database (default: runtime.database in config)')
      .option('--resume <run-id>', 'continue an interrupted run; the finished candidates are not evaluated again'),
  ).action(async (opts: OptimizeOptions) => {
    const summary = await withInterrupt((signal) => runOptimize(opts, signal, deps));
    printResult(opts, summary, () => frontTable(summary));
    reportRunEnd(summary.run_id, summary.status);
  });
}
