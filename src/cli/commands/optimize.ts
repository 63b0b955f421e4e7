/** `pnlopt optimize`: a whole search, stored and summarised; runs on the embedded data when given nothing. */
import { join } from 'node:path';
import { OPTIMIZER_KINDS, type OptimizerKind } from '../../config/optimizer-kinds.js';
import { EXIT_NOT_ADOPTED, UsageError } from '../../errors.js';
import { createProgress, type ProgressReporter } from '../progress.js';
import { frontTable } from '../front-table.js';
import { runOptimization, type OptimizationRequest, type OptimizationSummary } from '../../jobs/optimize.js';
import { runPerRegime, type PerRegimeSummary } from '../../jobs/per-regime.js';
import type { DatabaseManager } from '../../store/database.js';
import { dataFiles, dataInputs, dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { checkDistinct, checkOutputFolder, checkStorePath } from '../path-checks.js';
import { absolutePath, absoluteSources, restoreInvocation, type Invocation } from '../resume.js';
import { interruptedBeforeRun, reportRunEnd, withInterrupt } from '../interrupt.js';
import { forecastNotes } from '../forecast-notes.js';
import type { CliDeps } from './index.js';
import { configWithWindows } from '../command-config.js';
import { configDirOf, note, printResult, type CommonOptions } from '../options.js';
import type { WindowOptions } from '../window-options.js';
import { poolSettings } from '../../pool/settings.js';
import type { StartRunner } from '../../pool/batch-runner.js';
import type { PnloptConfig } from '../../config/load.js';
import type { Shard } from '../../jobs/shards.js';
import { shardIslands } from '../../jobs/islands.js';

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
  queue?: string;
  seed?: number;
  out?: string;
  db?: string;
  resume?: string;
  failIfNotAdopted?: boolean;
  /** False with --no-report. */
  report?: boolean;
  perRegime?: boolean;
  shard?: Shard;
  migrants?: string;
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
  return withRequest(given, signal, deps, onOpen, (req) => runOptimization(req));
}

/** `--per-regime`: one run per regime of the data (`runPerRegime`), each stored and adopted under its regime. */
export async function runOptimizePerRegime(given: OptimizeOptions, signal?: AbortSignal, deps: CliDeps = {}, onOpen?: (dbm: DatabaseManager) => void): Promise<PerRegimeSummary> {
  if (given.resume !== undefined) throw new UsageError('--per-regime starts a run per regime; resume one of them by its id, without --per-regime');
  if (given.shard !== undefined) throw new UsageError('--per-regime with --shard: shard one run at a time, not one per regime');
  return withRequest(given, signal, deps, onOpen, (req) => runPerRegime(req));
}

/** The job's request from the command line, its store opened once (on first use) and closed after `run`. */
async function withRequest<T>(
  given: OptimizeOptions,
  signal: AbortSignal | undefined,
  deps: CliDeps,
  onOpen: ((dbm: DatabaseManager) => void) | undefined,
  run: (req: OptimizationRequest) => Promise<T>,
): Promise<T> {
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
      start: opts.start ?? null, end: opts.end ?? null, holdoutStart: opts.holdoutStart ?? null, shard: opts.shard ?? null,
      migrants: absolutePath(opts.migrants) ?? null,
    },
  });
  const families = family.split(',').map((f) => f.trim());
  const islands = shardIslands(cfg, data, opts.tickers, families, seed, optimizer, opts.shard, opts.migrants);
  let dbm: DatabaseManager | undefined;
  let progress: ProgressReporter | undefined;
  try {
    return await run({
      cfg,
      data,
      ...(opts.tickers !== undefined ? { tickers: opts.tickers } : {}),
      families,
      optimizer,
      budget,
      maxSeconds: opts.maxSeconds ?? Infinity,
      seed,
      pool: poolSettings(cfg, { workers: opts.workers, batch: opts.batch, allowOversubscribe: opts.allowOversubscribe, workerFile: deps.workerFile }),
      ...(opts.queue !== undefined ? { startRunner: await queueRunner(cfg, opts.queue, opts.batch) } : {}),
      dbm: () => {
        if (dbm === undefined) {
          dbm = openStoreForWrite(store);
          onOpen?.(dbm);
        }
        return dbm;
      },
      ...(opts.out !== undefined ? { outDir: opts.out } : {}),
      ...(opts.resume !== undefined ? { resume: opts.resume } : {}),
      ...(opts.shard !== undefined ? { shard: opts.shard } : {}),
      ...(islands !== undefined ? { islands } : {}),
      ...(signal !== undefined ? { signal } : {}),
      invocation,
      // Progress starts once the inputs are checked and the run is open.
      onStart: (runId, remaining) => {
        progress?.stop();
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

/** `--queue`: the distributed queue's coordinator evaluates; BullMQ and Redis are loaded only for a queued run. */
async function queueRunner(cfg: PnloptConfig, url: string, batch: number | undefined): Promise<StartRunner> {
  const [{ startQueueRunner }, { queueSettings }] = await Promise.all([import('../../pool/queue-coordinator.js'), import('../../pool/queue.js')]);
  return startQueueRunner(queueSettings(cfg, url, batch));
}

/** Exit 3 (`--fail-if-not-adopted`) when a completed run adopted nothing. */
export function failIfNotAdopted(opts: { failIfNotAdopted?: boolean }, summary: OptimizationSummary): void {
  if (opts.failIfNotAdopted === true && summary.status === 'completed' && !summary.adopted) {
    process.stderr.write(`pnlopt: nothing adopted (${summary.adoption_reason}); exit ${EXIT_NOT_ADOPTED} (--fail-if-not-adopted)\n`);
    process.exitCode = EXIT_NOT_ADOPTED;
  }
}

/** Run `pnlopt optimize` (declared in optimize-command.ts, which loads this module when the command runs). */
export async function optimizeAction(opts: OptimizeOptions, deps: CliDeps): Promise<void> {
  if (opts.perRegime === true) return perRegimeAction(opts, deps);
  let interrupt: AbortSignal | undefined;
  const summary = await withInterrupt((signal) => {
    interrupt = signal;
    return runOptimize(opts, signal, deps);
  }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
  if (summary === undefined) return;
  printResult(opts, summary, () => frontTable(summary));
  // The run's page beside its summary.json (a completed run); regimes left to `pnlopt report`, which detects them (seconds on long data).
  if (summary.status === 'completed' && summary.shard === undefined && opts.report !== false) note(opts, `report: ${(await (await import('./report.js')).writeReport(opts, summary.run_id, join(summary.out_dir, 'report.html'), { regimes: false })).out}`);
  reportRunEnd(summary.run_id, summary.status, interrupt, summary);
  failIfNotAdopted(opts, summary);
}

async function perRegimeAction(opts: OptimizeOptions, deps: CliDeps): Promise<void> {
  let interrupt: AbortSignal | undefined;
  const summary = await withInterrupt((signal) => {
    interrupt = signal;
    return runOptimizePerRegime(opts, signal, deps);
  }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
  if (summary === undefined) return;
  printResult(opts, summary, () => perRegimeText(summary));
  const last = summary.regimes.at(-1)?.summary;
  if (last !== undefined && last !== null && summary.status !== 'completed') reportRunEnd(last.run_id, last.status, interrupt, last);
}

/** Per regime: bars, then the run's front table, or why it was skipped. */
export function perRegimeText(s: PerRegimeSummary): string {
  const head = `regimes of ${s.ticker} (current: ${s.current_regime}); one run per regime on its bars, spliced`;
  const parts = s.regimes.map((r) => {
    const title = `== ${r.regime}: ${r.bars} bars in ${r.segments} segment(s)`;
    return r.summary === null ? `${title}: skipped, ${r.reason}` : `${title}\n${frontTable(r.summary)}`;
  });
  return [head, ...parts].join('\n\n');
}
