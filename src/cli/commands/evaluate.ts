/**
 * `pnlopt evaluate`: evaluate a given population (one candidate per CSV row) over the worker pool,
 * streaming every finished batch into the store; write the rows back with their metrics, in input
 * order. SIGINT / SIGTERM interrupt the run (exit 130), `--resume RUN_ID` finishes it.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { alignPanel } from '../../data/panel.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, UsageError } from '../../errors.js';
import { codeVersion } from '../../paths.js';
import { readCandidatesCsv, writeResultsCsv } from '../../data/candidates-csv.js';
import { evaluateCandidates, workerFile, type EvaluationReport } from '../../pool/coordinator.js';
import { createProgress } from '../progress.js';
import { RunStore, type NewRun, type RunRow } from '../../store/run-store.js';
import { poolSettings } from '../../pool/settings.js';
import { buildContext } from '../../jobs/context.js';
import { paramLayout } from '../../config/param-layout.js';
import { DatabaseManager } from '../../store/database.js';
import { dbPath, loadData } from '../data-args.js';
import { withInterrupt } from '../interrupt.js';
import { configFrom, intArg, numArg, printResult, withCommonOptions, type CommonOptions } from '../options.js';

export interface EvaluateOptions extends CommonOptions {
  data?: string[];
  tickers?: string[];
  strategy: string;
  candidates: string;
  out: string;
  workers?: number;
  batch?: number;
  db?: string;
  resume?: string;
  feeBps?: number;
}

export interface EvaluateSummary {
  readonly runId: string;
  readonly status: 'completed' | 'interrupted' | 'failed';
  readonly candidates: number;
  /** Candidates already stored before this session (resume). */
  readonly alreadyDone: number;
  readonly evaluated: number;
  readonly failed: number;
  /** The output file, when the run completed. */
  readonly out: string | null;
  readonly workers: number;
  readonly batchSize: number;
  readonly seconds: number;
}

export interface EvaluateHooks {
  /** Aborting it interrupts the run. */
  readonly signal?: AbortSignal;
  /** Command line recorded with a new run. */
  readonly command?: string;
}

/** Run the command; the run record and every finished batch are in the store whatever happens. */
export async function runEvaluate(opts: EvaluateOptions, hooks: EvaluateHooks = {}): Promise<EvaluateSummary> {
  const t0 = performance.now();
  const cfg = configFrom(opts);
  const layout = paramLayout(cfg, opts.strategy);
  const table = readCandidatesCsv(opts.candidates, layout);
  checkWritableFolder(opts.out);
  workerFile();
  const data = loadData(cfg, opts.data);
  const panel = alignPanel(data, opts.tickers);
  const ctx = await buildContext(cfg, layout, panel, data.hash, { start: 0, end: panel.T, feeBps: opts.feeBps });
  const run: NewRun = {
    command: hooks.command ?? 'pnlopt evaluate',
    family: opts.strategy,
    optimizer: null,
    seed: null,
    configHash: cfg.hash,
    dataHash: data.hash,
    codeVersion: codeVersion(),
    sampler: { candidates_csv: table.file, sha256: table.sha256, candidates: table.n },
    dataWindow: { tickers: panel.tickers, bars: panel.T, ...ctx.settings },
    budget: table.n,
  };

  const dbm = new DatabaseManager(dbPath(cfg, opts.db));
  try {
    const store = new RunStore(dbm);
    let runId: string;
    if (opts.resume !== undefined) {
      runId = opts.resume;
      checkResumable(store.run(runId), run, runId, dbm.path);
      store.reopenRun(runId);
    } else {
      runId = store.createRun(run);
    }
    const done = store.evaluatedMask(runId, table.n);
    const pending = Int32Array.from({ length: table.n - done.reduce((s, v) => s + v, 0) });
    for (let i = 0, k = 0; i < table.n; i++) if (done[i] === 0) pending[k++] = i;
    process.stderr.write(`pnlopt: run ${runId}: ${pending.length} of ${table.n} candidates to evaluate\n`);

    const settings = poolSettings(cfg, { workers: opts.workers, batch: opts.batch });
    const progress = createProgress({ label: 'evaluate', total: pending.length, intervalS: cfg.runtime.runtime.progress_log_interval_s, stream: process.stderr });
    let report: EvaluationReport;
    try {
      report = await evaluateCandidates(
        layout,
        ctx,
        table.X,
        pending,
        settings,
        {
          ok: (ids, F) => store.writeEvaluated(runId, layout, table.X, ids, F),
          failed: (ids, error) => store.writeFailed(runId, layout, table.X, ids, error),
        },
        { signal: hooks.signal, onProgress: (n) => progress.update(n) },
      );
    } catch (err) {
      store.finishRun(runId, 'failed', { error: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      progress.stop();
    }
    const summary: EvaluateSummary = {
      runId,
      status: report.status,
      candidates: table.n,
      alreadyDone: table.n - pending.length,
      evaluated: report.evaluated,
      failed: report.failed,
      out: report.status === 'completed' ? opts.out : null,
      workers: report.workers,
      batchSize: report.batchSize,
      seconds: (performance.now() - t0) / 1000,
    };
    store.finishRun(runId, report.status, summary);
    if (report.status === 'completed') writeResultsCsv(opts.out, table, store.results(runId));
    return summary;
  } finally {
    dbm.close();
  }
}

/** Fail now, not after the evaluation, when the output cannot be written. */
function checkWritableFolder(out: string): void {
  const folder = dirname(resolve(out));
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${out}: the folder ${folder} does not exist or is not writable`);
  }
}

/** A run may be resumed only with the inputs it started with. */
function checkResumable(row: RunRow | undefined, now: NewRun, runId: string, db: string): void {
  if (row === undefined) throw new UsageError(`--resume ${runId}: no such run in ${db}`);
  const differences = [
    ['strategy', row.family, now.family],
    ['config (config_hash)', row.config_hash, now.configHash],
    ['data (data_hash)', row.data_hash, now.dataHash],
    ['code version', row.code_version, now.codeVersion],
    ['candidates file (sha256)', sha256Of(row.sampler_json), sha256Of(JSON.stringify(now.sampler))],
    ['tickers, window or simulation settings', row.data_window_json, JSON.stringify(now.dataWindow)],
  ]
    .filter(([, was, is]) => was !== is)
    .map(([what, was, is]) => `${what}: the run has ${was}, this command has ${is}`);
  if (differences.length > 0) throw new UsageError(`--resume ${runId}: the run was started with other inputs\n${differences.join('\n')}`);
}

function sha256Of(samplerJson: string | null): string | undefined {
  return samplerJson === null ? undefined : (JSON.parse(samplerJson) as { sha256?: string }).sha256;
}

/** Add `pnlopt evaluate`; SIGINT / SIGTERM during the run interrupt it instead of killing the process. */
export function registerEvaluate(program: Command): void {
  withCommonOptions(
    program
      .command('evaluate')
      .description('evaluate a population of candidates (CSV, one per row) over the worker pool; write the rows back with their metrics')
      .option('--data <files...>', 'OHLCV files, or db:PATH for an ingested store (default: the embedded data set)')
      .option('--tickers <names...>', 'tickers to trade (default: all in the data)')
      .requiredOption('--strategy <name>', 'strategy family (see config/strategy_optimization_config.yml families)')
      .requiredOption('--candidates <file>', 'CSV of candidates: a header of parameter names, one candidate per row')
      .requiredOption('--out <file>', 'CSV to write: the input rows in input order with the metric columns appended')
      .option('--workers <n>', 'worker threads (default: available cores)', intArg(1))
      .option('--batch <n>', 'candidates per task (default: chosen from the measured costs)', intArg(1))
      .option('--db <path>', 'SQLite database (default: runtime.database in config)')
      .option('--resume <run-id>', 'continue an interrupted run, evaluating only the candidates it has not stored')
      .option('--fee-bps <n>', 'fee per side in basis points (default: simulation.fee_bps)', numArg(0)),
  ).action(async (opts: EvaluateOptions) => {
    const summary = await withInterrupt((signal) => runEvaluate(opts, { signal, command: ['pnlopt', ...process.argv.slice(2)].join(' ') }));
    printResult(opts, summary, () => summaryText(summary));
    if (summary.status === 'interrupted') {
      process.stderr.write(`pnlopt: interrupted; continue with --resume ${summary.runId}\n`);
      process.exitCode = EXIT_INTERRUPTED;
    } else if (summary.status === 'failed') {
      process.stderr.write(`pnlopt: stopped after a batch failed twice; see the failed rows of run ${summary.runId} in the store\n`);
      process.exitCode = EXIT_FAILURE;
    } else if (summary.failed > 0) {
      process.stderr.write(`pnlopt: ${summary.failed} candidate(s) failed; their metric cells are empty\n`);
    }
  });
}

function summaryText(s: EvaluateSummary): string {
  const done = s.alreadyDone > 0 ? `, ${s.alreadyDone} already stored` : '';
  const out = s.out !== null ? `\nwrote ${s.out}` : '';
  return `run ${s.runId}: ${s.status}, ${s.candidates} candidates (${s.evaluated} evaluated, ${s.failed} failed${done}) in ${s.seconds.toFixed(1)} s with ${s.workers} workers, batch ${s.batchSize}${out}`;
}
