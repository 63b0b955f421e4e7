/**
 * `pnlopt run`, the action (declared in run-command.ts): the end-to-end pass (src/jobs/pipeline.ts)
 * on the window of the flags or of TICKERS / START_DATE / END_DATE; with HYPEROPT_ROUNDS > 0,
 * `pnlopt hyperopt` on the same tickers and dates. `runPipelineWith` is also the demo's pass.
 */
import type { PnloptConfig } from '../../config/load.js';
import type { MarketData } from '../../data/types.js';
import { runPipeline, type PipelineSummary } from '../../jobs/pipeline.js';
import type { RegimeStateUpdate } from '../../jobs/regime-state.js';
import { poolSettings } from '../../pool/settings.js';
import type { DatabaseManager } from '../../store/database.js';
import { configFrom } from '../command-config.js';
import { dataFiles, dbPath, loadData, openStoreForWrite } from '../data-args.js';
import { hyperoptRoundsFromEnv, resolveWindow, type EntryWindowOptions, type ResolvedWindow } from '../env-window.js';
import { forecastNotes } from '../forecast-notes.js';
import { interruptedBeforeRun, reportRunEnd, withInterrupt } from '../interrupt.js';
import { configDirOf, note, printResult, type CommonOptions } from '../options.js';
import { checkOutputFolder, checkStorePath } from '../path-checks.js';
import { createProgress, type ProgressReporter } from '../progress.js';
import { absolutePath, absoluteSources, type Invocation } from '../resume.js';
import { delegateToHyperopt } from './auto-trade.js';
import { etlJson, etlText } from './etl.js';
import type { CliDeps } from './index.js';
import { perRegimeText } from './optimize.js';
import { paperText } from './paper.js';
import { stateText } from './update-regime-state.js';

export interface RunOptions extends CommonOptions, EntryWindowOptions {
  data?: string[];
  db?: string;
  family?: string;
  optimizer?: string;
  budget?: number;
  seed?: number;
  workers?: number;
}

/** What the pass runs on: the config, the data and the files it came from, the window (default: none given). */
export interface PipelineInput {
  readonly cfg: PnloptConfig;
  readonly data: MarketData;
  readonly sources: readonly string[];
  readonly window?: ResolvedWindow;
}

/**
 * The pass with the command line's settings, progress and notes on stderr; the store (--db) and
 * runtime.runs_dir are checked before any work and the store opened once the optimize job has
 * checked its inputs. Each optimize run records an invocation that `pnlopt optimize --resume` restores.
 */
export async function runPipelineWith(opts: RunOptions, input: PipelineInput, signal: AbortSignal, deps: CliDeps): Promise<PipelineSummary> {
  const { cfg, data, sources, window } = input;
  const store = dbPath(cfg, opts.db);
  checkStorePath(store, '--db');
  checkOutputFolder(cfg.runtime.runtime.runs_dir, 'runtime.runs_dir');
  const intervalS = cfg.runtime.runtime.progress_log_interval_s;
  let dbm: DatabaseManager | undefined;
  let progress: ProgressReporter | undefined;
  let paperProgress: ProgressReporter | undefined;
  const stop = (): void => {
    progress?.stop();
    progress = undefined;
  };
  try {
    return await runPipeline({
      cfg, data, tickers: window?.tickers, start: window?.start, end: window?.end, names: window?.names,
      families: opts.family?.split(',').map((f) => f.trim()), optimizer: opts.optimizer, budget: opts.budget, seed: opts.seed,
      pool: poolSettings(cfg, { workers: opts.workers, workerFile: deps.workerFile }),
      dbm: () => (dbm ??= openStoreForWrite(store)),
      signal,
      invocation: (o, outDir): Invocation => ({
        kind: 'optimize',
        options: {
          configDir: absolutePath(configDirOf(opts)) ?? null, config: null, set: opts.set ?? [], data: absoluteSources(sources), tickers: window?.tickers ?? null,
          family: o.families.join(','), optimizer: o.optimizer, budget: o.budget, seed: o.seed, out: absolutePath(outDir), start: o.start, end: o.end, holdoutStart: null,
        },
      }),
      // Progress of each regime's run once it is open, then of the bars auto-traded.
      onStart: (runId, remaining) => {
        stop();
        note(opts, `run ${runId} started (after an interrupt: --resume ${runId})`);
        if (opts.quiet !== true) progress = createProgress({ label: 'optimize', total: remaining, intervalS, stream: process.stderr });
      },
      onProgress: (finished) => progress?.update(finished),
      onForecasts: forecastNotes(opts),
      onPaperProgress: (done, total) => {
        if (opts.quiet === true) return;
        if (paperProgress === undefined) {
          stop();
          progress = paperProgress = createProgress({ label: 'paper', unit: 'bars', total, intervalS, stream: process.stderr });
        }
        paperProgress.update(done);
      },
    });
  } finally {
    stop();
    dbm?.close();
  }
}

/** Run `pnlopt run` (declared in run-command.ts, which loads this module when the command runs). */
export async function runAction(opts: RunOptions, deps: CliDeps): Promise<void> {
  const window = resolveWindow(opts);
  const rounds = hyperoptRoundsFromEnv();
  if (rounds > 0) return delegateToHyperopt(opts, window, rounds);
  const cfg = configFrom(opts);
  const sources = dataFiles(cfg, opts.data);
  const data = loadData(cfg, sources, opts.quiet);
  let interrupt: AbortSignal | undefined;
  const summary = await withInterrupt((signal) => {
    interrupt = signal;
    return runPipelineWith(opts, { cfg, data, sources, window }, signal, deps);
  }).catch((err: unknown) => interruptedBeforeRun(err, interrupt));
  if (summary === undefined) return;
  printResult(opts, pipelineJson(summary), () => pipelineText(summary));
  const last = summary.optimize.regimes.at(-1)?.summary;
  if (summary.status !== 'completed' && last !== undefined && last !== null) reportRunEnd(last.run_id, last.status, interrupt, last);
}

/** The regime state as JSON: the path and each ticker's state. */
export function regimeStateJson(state: RegimeStateUpdate | null): object | null {
  return state === null ? null : { path: state.path, tickers: Object.fromEntries(state.tickers) };
}

function pipelineJson(s: PipelineSummary): object {
  const o = s.settings;
  return {
    status: s.status,
    optimize_settings: { families: o.families, optimizer: o.optimizer, budget: o.budget, seed: o.seed, evaluation_start: o.start, evaluation_end: o.end },
    etl: etlJson(s.etl), optimize: s.optimize, paper: s.paper, regime_state: regimeStateJson(s.regime_state),
  };
}

function pipelineText(s: PipelineSummary): string {
  const o = s.settings;
  return [
    `ETL:\n${etlText(s.etl)}`,
    `Optimize (${o.families.join(', ')}; ${o.optimizer}, budget ${o.budget}, seed ${o.seed}) on the data ${o.start === null ? 'up to' : `from ${o.start} to`} ${o.end}:\n\n${perRegimeText(s.optimize)}`,
    ...(s.paper !== null ? [`Auto-trading the window:\n${paperText(s.paper)}`] : []),
    ...(s.regime_state !== null ? [`Regime state from the realized trades:\n${stateText(s.regime_state)}`] : []),
  ].join('\n\n');
}
