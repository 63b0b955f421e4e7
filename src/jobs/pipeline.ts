/**
 * The end-to-end pass (`pnlopt run`, `pnlopt demo`, and each trial of the hyperopt driver): ETL,
 * optimize per regime on the data before the auto-trade window, auto-trade (paper) over the window,
 * then the regime state from the realized trades.
 *
 * 1. ETL (`runEtl`): the tickers' bars up to `end`, with quality snapshots, regime labels and drift
 *    rows; run when the optimize job opens the store, once its own inputs are checked, so that bad
 *    input writes nothing (or after it, when it skipped every regime and never opened the store).
 * 2. Optimize (`runPerRegime`, or with `perRegime: false` one run over every bar, adopted under the
 *    regime `all`, which the paper router falls back to): `evaluation.end` is the day of the bar before the window's first, so
 *    the search and its hold-out end before the bars traded; with `lookbackBars`, `evaluation.start`
 *    is the day of the bar that many bars of the panel calendar before the window (the evaluation
 *    window: search + hold-out; the warm-up comes before it). A regime's spliced bars are fewer, and
 *    a regime the window leaves too short for the hold-out gate is skipped (`runPerRegime`).
 * 3. Auto-trade (`runPaper`) from `start` (default: a new session's `paper.default_bars` before the
 *    data's end, as `pnlopt paper`) to `end`; only when every regime's run completed.
 * 4. The regime state (`updateRegimeState`), to `regimeStatePath` when given: the paper engine reads
 *    the same file, so a trial sizes with, and writes, its own state and never the project's.
 */
import { configHash, type PnloptConfig } from '../config/load.js';
import { OPTIMIZER_KINDS, type OptimizerKind } from '../config/optimizer-kinds.js';
import { alignPanel } from '../data/panel.js';
import type { MarketData, Panel } from '../data/types.js';
import { UsageError } from '../errors.js';
import type { PoolSettings } from '../pool/coordinator.js';
import { storeOf, type DatabaseManager, type StoreSource } from '../store/database.js';
import type { ForecastProgress } from './context.js';
import { checkWindow, dayOf, runEtl, windowBars, WINDOW_FLAGS, type EtlSummary, type WindowRequest } from './etl.js';
import { ALL_REGIMES, runOptimization, type OptimizationRequest } from './optimize.js';
import { runPaper, type PaperSummary } from './paper.js';
import { runPerRegime, type PerRegimeSummary } from './per-regime.js';
import { updateRegimeState, type RegimeStateUpdate } from './regime-state.js';

export interface PipelineRequest extends WindowRequest {
  /** With any meta-parameter overrides already applied. */
  readonly cfg: PnloptConfig;
  readonly data: MarketData;
  readonly dbm: StoreSource;
  readonly pool: PoolSettings;
  /** Defaults: `optimizer.defaults` (its family comma-separated). */
  readonly families?: readonly string[] | undefined;
  readonly optimizer?: string | undefined;
  readonly budget?: number | undefined;
  readonly seed?: number | undefined;
  /** Wall-time limit of each regime's run in seconds (default: none). */
  readonly maxSeconds?: number | undefined;
  /**
   * One optimize run over every bar (regime `all`) instead of one per regime: the hyperopt trials',
   * whose evaluation windows of a few years leave each regime's spliced bars too few for the hold-out.
   */
  readonly perRegime?: boolean | undefined;
  /** The id of that one run (default: a random UUID); the hyperopt driver's best re-run is `<RUN_ID>_best`. */
  readonly runId?: string | undefined;
  /** Bars of the optimize evaluation window (search + hold-out) just before the auto-trade window; default: `evaluation.start`. */
  readonly lookbackBars?: number | undefined;
  /** Where the regime state is read and written; default `regime_state.path`. */
  readonly regimeStatePath?: string | undefined;
  /** Folder of the runs' summary.json (one subfolder per regime); default `runtime.runs_dir/<run id>`. */
  readonly outDir?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly now?: Date | undefined;
  /** What each optimize run records as its invocation, given the settings resolved here and its output folder. */
  readonly invocation?: ((optimize: PipelineOptimize, outDir: string) => unknown) | undefined;
  readonly onStart?: OptimizationRequest['onStart'];
  readonly onProgress?: OptimizationRequest['onProgress'];
  readonly onForecasts?: ((p: ForecastProgress) => void) | undefined;
  /** Bars auto-traded so far of the window. */
  readonly onPaperProgress?: ((done: number, total: number) => void) | undefined;
}

/** The optimize settings and evaluation dates the pipeline resolved. */
export interface PipelineOptimize {
  readonly families: readonly string[];
  readonly optimizer: OptimizerKind;
  readonly budget: number;
  readonly seed: number;
  /** `evaluation.start` / `evaluation.end` of the runs. */
  readonly start: string | null;
  readonly end: string;
}

export interface PipelineSummary {
  /** The optimize status; `completed` also means the window was auto-traded and the regime state written. */
  readonly status: PerRegimeSummary['status'];
  readonly settings: PipelineOptimize;
  readonly etl: EtlSummary;
  readonly optimize: PerRegimeSummary;
  readonly paper: PaperSummary | null;
  readonly regime_state: RegimeStateUpdate | null;
}

/** Run the pass (see the header). */
export async function runPipeline(req: PipelineRequest): Promise<PipelineSummary> {
  const names = req.names ?? WINDOW_FLAGS;
  checkWindow(req.data, req);
  const defaults = req.cfg.strategy.optimizer.defaults;
  const optimizer = req.optimizer ?? defaults.optimizer;
  if (!isOptimizerKind(optimizer)) throw new UsageError(`--optimizer: expected one of ${OPTIMIZER_KINDS.join(', ')}, got "${optimizer}"`);
  const panel = alignPanel(req.data, req.tickers);
  // runPaper's default for a new session: the last paper.default_bars bars, the first bar kept for history.
  const { from } = windowBars(panel.time, req, Math.max(1, panel.T - req.cfg.paper.paper.default_bars));
  if (from === 0) throw new UsageError(`${names.start} ${req.start}: no bar of the data before it to optimize on (the data starts ${dayOf(panel.time[0])})`);
  const lookback = req.lookbackBars;
  if (lookback !== undefined && (!Number.isInteger(lookback) || lookback < 1 || lookback > from)) {
    throw new UsageError(`an evaluation window of ${lookback} bars before ${dayOf(panel.time[from])}: expected a whole number from 1 to the ${from} bars of the data before it`);
  }
  const settings: PipelineOptimize = {
    families: req.families ?? defaults.family.split(',').map((f) => f.trim()),
    optimizer,
    budget: req.budget ?? defaults.budget,
    seed: req.seed ?? defaults.seed,
    start: lookback === undefined ? req.cfg.strategy.evaluation.start : dayOf(panel.time[from - lookback]),
    end: dayOf(panel.time[from - 1]),
  };
  const cfg = withWindow(req.cfg, settings, req.regimeStatePath);

  let etl: EtlSummary | undefined;
  const store = (): DatabaseManager => {
    const dbm = storeOf(req.dbm);
    etl ??= runEtl({ cfg, data: req.data, dbm, tickers: req.tickers, end: req.end, names, now: req.now });
    return dbm;
  };
  const optimizeReq: OptimizationRequest = {
    cfg, data: req.data, tickers: req.tickers, families: settings.families, optimizer, budget: settings.budget, seed: settings.seed,
    maxSeconds: req.maxSeconds ?? Infinity, pool: req.pool, dbm: store, outDir: req.outDir, signal: req.signal,
    invocation: req.invocation === undefined ? undefined : (outDir) => req.invocation!(settings, outDir),
    onStart: req.onStart, onProgress: req.onProgress, onForecasts: req.onForecasts,
  };
  const optimize = req.perRegime === false ? await singleRun({ ...optimizeReq, runId: req.runId }, panel) : await runPerRegime(optimizeReq);
  const dbm = store();
  const done = { settings, etl: etl!, optimize };
  if (optimize.status !== 'completed') return { status: optimize.status, ...done, paper: null, regime_state: null };
  const paper = await runPaper({ cfg, data: req.data, tickers: req.tickers, from: req.start, to: req.end, dbm, signal: req.signal, now: req.now, onProgress: req.onPaperProgress });
  return { status: 'completed', ...done, paper, regime_state: updateRegimeState(cfg, dbm) };
}

/** One run over every bar, reported as the per-regime summary of the single regime `all`. */
async function singleRun(req: OptimizationRequest, panel: Panel): Promise<PerRegimeSummary> {
  const summary = await runOptimization(req);
  return {
    ticker: panel.tickers[0], data_hash: req.data.hash, current_regime: ALL_REGIMES, status: summary.status,
    regimes: [{ regime: ALL_REGIMES, bars: panel.T, segments: 1, status: 'optimized', reason: null, summary }],
  };
}

function isOptimizerKind(s: string): s is OptimizerKind {
  return (OPTIMIZER_KINDS as readonly string[]).includes(s);
}

/** `cfg` with the runs' evaluation dates and, when given, the regime-state path; hashed again, as a run records it. */
function withWindow(cfg: PnloptConfig, o: PipelineOptimize, statePath: string | undefined): PnloptConfig {
  const strategy = { ...cfg.strategy, evaluation: { ...cfg.strategy.evaluation, start: o.start, end: o.end } };
  const paper = statePath === undefined ? cfg.paper : { ...cfg.paper, regime_state: { ...cfg.paper.regime_state, path: statePath } };
  const sections = { ...cfg, strategy, paper };
  return { ...sections, hash: configHash(sections) };
}
