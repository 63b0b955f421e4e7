/**
 * The higher-order hyper-parameter driver (`pnlopt hyperopt`; the seed's "Higher-Order
 * Hyper-Parameter Driver"): trials of the end-to-end pass (`runPipeline`: etl, optimize, auto-trade)
 * over meta-parameters the bandit policy proposes (src/search/hyperopt-policy.ts), each trial
 * against its own database, scored by the realized `total_profit` of its auto-trade window.
 *
 * - Meta-parameters (`hyperopt_config.yml` `ranges`): `evaluation_window_bars`, the bars of the
 *   optimize evaluation window (search + hold-out) just before the auto-trade window;
 *   `min_expected_profit` and `min_expected_return`, guardrails set through the config loader's
 *   tighten-only overrides (a value that would loosen one is refused, so no trial ever trades
 *   under looser guardrails than the config's).
 * - A trial: a fresh database `<trials>/trial_<n>.db`; `runPipeline` with `trial.*` (families,
 *   optimizer, budget, seed), one optimize run over every bar (regime `all`), then paper trading over
 *   the window ([--start, --end], default the last `trial.paper_bars` bars), with its own regime
 *   state file. The score is the realized pnl of that session's closed trades, read from the trial's
 *   database. A trial whose pass refuses its inputs (a window longer than the data, say) fails:
 *   score null, the reason recorded, and the policy counts it as a failure.
 * - Every finished trial is a row of `hyperopt_trials` in the main database and a JSON line of
 *   `<log dir>/hyperopt_<RUN_ID>.log`. An interrupted run keeps them; `--resume RUN_ID` replays their
 *   scores through the policy (which must propose the same meta-parameters again) and continues.
 * - At the end the best trial's meta-parameters are run again, as run `<RUN_ID>_best`, in the main
 *   database: its optimum is adopted there (regime `all`) and auto-traded, so `pnlopt best`, paper
 *   and the report see it. The trials are added to that run's summary (the report's trials chart).
 * - Trials run one after another; each optimize spreads its candidates over the one pool of
 *   `--workers` threads (default the cores), so the process never runs more threads than that.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PnloptConfig } from '../config/load.js';
import { alignPanel } from '../data/panel.js';
import type { MarketData } from '../data/types.js';
import { ConfigError, InputError, InterruptedError, UsageError } from '../errors.js';
import { canonicalJson } from '../hashing.js';
import type { PoolSettings } from '../pool/coordinator.js';
import { createRng } from '../rng.js';
import { HyperoptPolicy, hyperoptDimensions, type HyperoptProposal } from '../search/hyperopt-policy.js';
import { DatabaseManager, storeOf, type StoreSource } from '../store/database.js';
import { HyperoptStore, type TrialRecord } from '../store/hyperopt-store.js';
import { realizedPerformance } from '../store/realized-trades.js';
import { RunStore } from '../store/run-store.js';
import { dayOf, WINDOW_FLAGS, type WindowNames } from './etl.js';
import { runPipeline, type PipelineSummary } from './pipeline.js';

/** The guardrail keys the meta-parameters set, as `--set` names them (tighten-only). */
const GUARDRAIL_KEYS: Readonly<Record<string, string>> = {
  min_expected_profit: 'quant_success.guardrails.min_expected_profit',
  min_expected_return: 'signal_routing.signal_routing.time_series.min_expected_return',
};
/** The meta-parameter that sets the optimize evaluation window. */
const WINDOW_PARAM = 'evaluation_window_bars';

export interface HyperoptRequest {
  /** The config as given (its folder, file and `--set`). */
  readonly cfg: PnloptConfig;
  /** The same config with more `--set` overrides, checked as the command line's are (guardrails tighten only). */
  readonly configWith: (sets: readonly string[]) => PnloptConfig;
  readonly data: MarketData;
  readonly tickers?: readonly string[] | undefined;
  /** The auto-trade window every trial is scored on; default the last `trial.paper_bars` bars. */
  readonly start?: string | undefined;
  readonly end?: string | undefined;
  readonly names?: WindowNames | undefined;
  readonly rounds: number;
  /** The starting explore share (HYPEROPT_EXPLORE_PCT); default `hyperopt.explore_pct`. */
  readonly explorePct?: number | undefined;
  /** The main database. */
  readonly dbm: StoreSource;
  readonly pool: PoolSettings;
  /** Folder of the JSON-lines log. */
  readonly logDir: string;
  readonly resume?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly now?: () => Date;
  readonly onTrialStart?: (p: HyperoptProposal) => void;
  readonly onTrial?: (t: TrialRecord) => void;
}

export interface HyperoptSummary {
  readonly run_id: string;
  readonly rounds: number;
  readonly best: { readonly trial: number; readonly params: Readonly<Record<string, number>>; readonly score: number } | null;
  /** The best trial's re-run in the main database (`<RUN_ID>_best`), null without a best. */
  readonly best_run: PipelineSummary | null;
  readonly log: string;
  readonly trials: readonly TrialRecord[];
}

/** What a resume must find unchanged. */
interface Settings {
  readonly seed: number;
  readonly explore_pct: number;
  readonly policy: Record<string, number>;
  readonly dimensions: unknown;
  readonly trial: unknown;
  readonly tickers: readonly string[];
  readonly window: { readonly start: string; readonly end: string };
  readonly config_hash: string;
  readonly data_hash: string;
}

export async function runHyperopt(req: HyperoptRequest): Promise<HyperoptSummary> {
  const { cfg } = req;
  const h = cfg.hyperopt.hyperopt;
  if (!Number.isInteger(req.rounds) || req.rounds < 1) throw new UsageError(`--rounds ${req.rounds}: expected a whole number of trials >= 1`);
  const explorePct = req.explorePct ?? h.explore_pct;
  if (!(explorePct >= h.explore_min_pct && explorePct <= h.explore_max_pct)) {
    throw new UsageError(`HYPEROPT_EXPLORE_PCT ${explorePct}: expected a share between hyperopt.explore_min_pct (${h.explore_min_pct}) and explore_max_pct (${h.explore_max_pct})`);
  }
  const now = req.now ?? (() => new Date());
  const panel = alignPanel(req.data, req.tickers);
  const names = req.names ?? WINDOW_FLAGS;
  const trial = cfg.hyperopt.trial;
  const first = Math.max(1, panel.T - trial.paper_bars);
  const window = { start: req.start ?? dayOf(panel.time[first]), end: req.end ?? dayOf(panel.time[panel.T - 1]) };
  const dims = hyperoptDimensions(h.ranges);
  const policySettings = { explore_pct: explorePct, explore_step_pct: h.explore_step_pct, explore_min_pct: h.explore_min_pct, explore_max_pct: h.explore_max_pct, exploit_scale: h.exploit_scale };
  const settings: Settings = {
    seed: trial.seed, explore_pct: explorePct, policy: policySettings, dimensions: dims, trial, tickers: panel.tickers, window,
    config_hash: cfg.hash, data_hash: req.data.hash,
  };
  const store = new HyperoptStore(storeOf(req.dbm));
  const runId = req.resume ?? crypto.randomUUID();
  const log = resolve(req.logDir, `hyperopt_${runId}.log`);
  const done = openRun(store, runId, req, settings, log, now());
  const policy = new HyperoptPolicy(dims, policySettings, createRng(trial.seed, 'hyperopt-policy'));
  // A resume replays the finished trials: the same proposals, told the same scores.
  for (const t of done) {
    const p = policy.propose();
    if (canonicalJson(p.params) !== canonicalJson(t.params)) throw new Error(`hyperopt ${runId}: trial ${t.trial} replays as ${canonicalJson(p.params)}, recorded ${canonicalJson(t.params)}`);
    policy.tell(t.score ?? NaN);
  }
  const trialsDir = resolve(cfg.runtime.runtime.runs_dir, runId, 'trials');
  mkdirSync(trialsDir, { recursive: true });
  mkdirSync(req.logDir, { recursive: true });
  const trials = [...done];
  try {
    for (let n = done.length; n < req.rounds; n++) {
      if (req.signal?.aborted === true) throw new InterruptedError(`hyperopt ${runId} stopped by ${String(req.signal.reason)} after ${n} of ${req.rounds} trials; every finished trial is recorded: pnlopt hyperopt --resume ${runId}`);
      const p = policy.propose();
      req.onTrialStart?.(p);
      const record = await runTrial(req, p, trialsDir, window, names);
      store.addTrial(runId, record, now());
      appendFileSync(log, `${JSON.stringify({ trial: record.trial, arm: record.arm, explore_pct: record.explore_pct, params: record.params, held: record.held, score: record.score, duration_s: record.duration_s, trial_db: record.trial_db, ...(record.error !== null ? { error: record.error } : {}) })}\n`);
      policy.tell(record.score ?? NaN);
      trials.push(record);
      req.onTrial?.(record);
    }
    const best = policy.best();
    const bestRun = best === null ? null : await rerunBest(req, runId, best.params, window, names, trials);
    store.setStatus(runId, 'completed', best === null ? null : { ...best, run_id: `${runId}_best` }, now());
    return { run_id: runId, rounds: req.rounds, best, best_run: bestRun, log, trials };
  } catch (err) {
    store.setStatus(runId, err instanceof InterruptedError ? 'interrupted' : 'failed', undefined, now());
    throw err;
  }
}

/** The run's finished trials: none for a new run (created now), the recorded ones for a resume (checked against its settings). */
function openRun(store: HyperoptStore, runId: string, req: HyperoptRequest, settings: Settings, log: string, now: Date): TrialRecord[] {
  if (req.resume === undefined) {
    store.createRun(runId, req.rounds, settings, log, now);
    return [];
  }
  const row = store.run(runId);
  if (row === undefined) throw new UsageError(`--resume ${runId}: no such hyperopt run in the database`);
  if (row.status === 'completed') throw new UsageError(`--resume ${runId}: the run is already completed`);
  if (row.rounds !== req.rounds) throw new UsageError(`--resume ${runId}: the run was started with --rounds ${row.rounds}, not ${req.rounds}`);
  const recorded = JSON.parse(row.settings_json) as Record<string, unknown>;
  const differ = Object.entries(settings).filter(([k, v]) => canonicalJson(recorded[k]) !== canonicalJson(v)).map(([k]) => k);
  if (differ.length > 0) throw new UsageError(`--resume ${runId}: the run was started with other ${differ.join(', ')} (config, data, tickers, window or HYPEROPT_EXPLORE_PCT)`);
  store.setStatus(runId, 'running');
  return store.trials(runId);
}

/** The config of a set of meta-parameters: the guardrails they tighten, as overrides. */
function trialConfig(req: HyperoptRequest, params: Readonly<Record<string, number>>): PnloptConfig {
  return req.configWith(Object.entries(GUARDRAIL_KEYS).map(([param, key]) => `${key}=${String(params[param])}`));
}

/** One trial against its own database; a pass that refuses its inputs is a failed trial. */
async function runTrial(req: HyperoptRequest, p: HyperoptProposal, dir: string, window: { start: string; end: string }, names: WindowNames): Promise<TrialRecord> {
  const started = performance.now();
  const file = join(dir, `trial_${p.trial}.db`);
  // A trial killed before it was recorded starts again from nothing.
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const base = { trial: p.trial, arm: p.arm, explore_pct: p.explore_pct, held: p.held, params: p.params, trial_db: file };
  let score: number | null = null;
  let error: string | null = null;
  const dbm = new DatabaseManager(file);
  try {
    const cfg = trialConfig(req, p.params);
    const trial = cfg.hyperopt.trial;
    const summary = await runPipeline({
      cfg, data: req.data, dbm, pool: req.pool, tickers: req.tickers, start: window.start, end: window.end, names,
      families: trial.families, optimizer: trial.optimizer, budget: trial.budget, seed: trial.seed, perRegime: false,
      lookbackBars: p.params[WINDOW_PARAM], regimeStatePath: join(dir, `trial_${p.trial}_regime_state.yml`), outDir: join(dir, `trial_${p.trial}`), signal: req.signal,
    });
    if (summary.status === 'interrupted') throw new InterruptedError(`hyperopt trial ${p.trial} interrupted`);
    if (summary.paper === null) error = `the trial's optimize run ${summary.status}`;
    else score = realizedPerformance(dbm, { sessionId: summary.paper.session_id }, cfg.strategy.simulation.initial_capital).total_pnl;
  } catch (err) {
    // A pass that refuses its inputs (a window the data cannot hold) fails the trial; a config error is the run's.
    if (!(err instanceof InputError) || err instanceof InterruptedError || err instanceof ConfigError) throw err;
    error = err.message;
  } finally {
    dbm.close();
  }
  return { ...base, score, error, duration_s: (performance.now() - started) / 1000 };
}

/** The best trial's meta-parameters run again in the main database as `<RUN_ID>_best`, the trials added to its summary. */
async function rerunBest(
  req: HyperoptRequest, runId: string, params: Readonly<Record<string, number>>, window: { start: string; end: string }, names: WindowNames, trials: readonly TrialRecord[],
): Promise<PipelineSummary> {
  const cfg = trialConfig(req, params);
  const trial = cfg.hyperopt.trial;
  const bestId = `${runId}_best`;
  const summary = await runPipeline({
    cfg, data: req.data, dbm: req.dbm, pool: req.pool, tickers: req.tickers, start: window.start, end: window.end, names,
    families: trial.families, optimizer: trial.optimizer, budget: trial.budget, seed: trial.seed, perRegime: false, runId: bestId,
    lookbackBars: params[WINDOW_PARAM], signal: req.signal,
  });
  if (summary.status === 'interrupted') throw new InterruptedError(`hyperopt ${runId}: the best trial's re-run ${bestId} was interrupted; pnlopt optimize --resume ${bestId} completes it`);
  const runs = new RunStore(storeOf(req.dbm));
  const row = runs.run(bestId);
  if (row?.summary_json != null) {
    const stored = JSON.parse(row.summary_json) as Record<string, unknown>;
    runs.finishRun(bestId, row.status as 'completed', { ...stored, hyperopt_run_id: runId, trials: trials.map((t) => ({ trial: t.trial, score: t.score, kind: t.arm })) });
  }
  return summary;
}
