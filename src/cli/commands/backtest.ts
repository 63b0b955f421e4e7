/**
 * `pnlopt backtest`: one candidate on one data set; prints the period, its metrics and buy and hold
 * over the same bars for comparison, optionally its equity curve. The candidate is given
 * (`--strategy`, `--params`, on the evaluation window of `--start` / `--end`), or it is a stored one
 * (`--run`, `--candidate`), re-run with the run's config, data, tickers and windows and compared
 * with the metrics the run stored for that window.
 */
import { buyAndHoldPath, drawdownPath } from '../../../native-free-kernels/portfolio/buy-and-hold.js';
import { METRIC_COUNT, METRIC_NAMES } from '../../../native-free-kernels/portfolio/metrics.js';
import { alignPanel } from '../../data/panel.js';
import type { MarketData, Panel } from '../../data/types.js';
import { formatTime } from '../../data/validate.js';
import { EXIT_FAILURE, UsageError } from '../../errors.js';
import { metricRecord } from '../../report/metrics.js';
import { runFamilies, runKind, storedJson } from '../../store/run-store.js';
import { metricTable, pct, wrapList } from '../table.js';
import { buildContext } from '../../jobs/context.js';
import { tradedWindow, windowDates, type BarWindow, type TradedWindow } from '../../jobs/windows.js';
import { createEvaluator } from '../../simulation/evaluator.js';
import { decodeRow, encodeNamedValues, paramLayout, parseAssignments, type ParamLayout } from '../../config/param-layout.js';
import type { PnloptConfig } from '../../config/load.js';
import { checkOutputPath, writeOutput } from '../../output.js';
import { codeVersion } from '../../paths.js';
import { loadData } from '../data-args.js';
import { runConfig } from '../resume.js';
import { configWithWindows } from '../command-config.js';
import { note, printResult, type CommonOptions } from '../options.js';
import { windowPeriod, type WindowOptions } from '../window-options.js';
import type { RunWindow } from './backtest-command.js';
import { findRun, withRunStore } from './runs.js';

const WINDOW_NAMES = { search: 'search window', holdout: 'hold-out window', all: 'search and hold-out windows', evaluated: 'window it was evaluated on' } as const;

export interface BacktestOptions extends CommonOptions, WindowOptions {
  data?: string[];
  strategy?: string;
  params?: string;
  feeBps?: number;
  tickers?: string[];
  equity?: string;
  run?: string;
  candidate?: number;
  window?: RunWindow;
  db?: string;
}

export interface BuyAndHold {
  readonly total_return: number;
  readonly max_drawdown: number;
}

/**
 * Buy and hold over bars [start, end) of the panel (docs/metrics.md): one unit of each ticker bought
 * at the window's first close and held to its last close, equal-weighted (the same capital in each
 * ticker, not rebalanced), no fees. B_t = mean_k C_{k,t} / C_{k,start}, so B_start = 1;
 * total_return = B_{end-1} - 1, max_drawdown = max_t (1 - B_t / max_{u<=t} B_u).
 */
export function buyAndHold(panel: Panel, start = 0, end = panel.T): BuyAndHold {
  const n = end - start;
  const path = new Float64Array(n);
  buyAndHoldPath(panel.close, panel.tickers.length, panel.T, start, end, 1, path);
  const drawdown = new Float64Array(n);
  drawdownPath(path, 1, n, drawdown);
  return { total_return: n > 0 ? path[n - 1] - 1 : 0, max_drawdown: drawdown.reduce((a, b) => Math.max(a, b), 0) };
}

/** Parameters as `--params` takes them: `k=v,k=v`, numbers at full precision (`String`: the shortest text that reads back as the same double). */
export function paramsArg(params: Readonly<Record<string, number | string>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

/** What one backtest runs: the family, the encoded parameter row, the data and the bars traded. */
interface Setup {
  readonly cfg: PnloptConfig;
  readonly layout: ParamLayout;
  readonly row: Float64Array;
  readonly data: MarketData;
  readonly panel: Panel;
  readonly window: TradedWindow;
  readonly feeBps: number | undefined;
  /** Set when the candidate is a stored one. */
  readonly stored?: StoredCandidate;
}

/** A stored candidate re-run, and what its run stored for the window chosen. */
interface StoredCandidate {
  readonly run_id: string;
  readonly candidate_id: number;
  /** `evaluated`: the one window of an evaluate run. */
  readonly window: RunWindow | 'evaluated';
  /** The run's metrics for this window (null: none stored, e.g. the hold-out of a candidate off the front, or `all`). */
  readonly metrics: Float64Array | null;
}

/** The options `--run` replaces (the run recorded them), and the ones that only go with it. */
const NOT_WITH_RUN = ['strategy', 'params', 'feeBps', 'tickers', 'start', 'end', 'set'] as const;
const ONLY_WITH_RUN = ['candidate', 'window', 'db'] as const;
const flag = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The given candidate: `--strategy` and `--params` on the evaluation window of the config and `--start` / `--end`. */
function givenCandidate(opts: BacktestOptions): Setup {
  const misplaced = ONLY_WITH_RUN.filter((k) => opts[k] !== undefined);
  if (misplaced.length > 0) throw new UsageError(`${misplaced.map(flag).join(', ')}: only with --run RUN_ID (a stored candidate)`);
  if (opts.strategy === undefined || opts.params === undefined) {
    throw new UsageError(`give ${[['--strategy', opts.strategy], ['--params', opts.params]].filter(([, v]) => v === undefined).map(([f]) => f).join(' and ')}, or --run RUN_ID --candidate ID`);
  }
  const cfg = configWithWindows(opts);
  const assignments = parseAssignments(opts.params);
  if (opts.equity !== undefined) checkOutputPath(opts.equity, '--equity');
  const data = loadData(cfg, opts.data, opts.quiet);
  const panel = alignPanel(data, opts.tickers);
  // The layout after the data: a basket family has a column per ticker.
  const layout = paramLayout(cfg, opts.strategy, panel.tickers);
  const { row, problems } = encodeNamedValues(layout, assignments);
  if (problems.length > 0) throw new UsageError(`--params: ${problems.join('; ')}`);
  return { cfg, layout, row, data, panel, window: tradedWindow(cfg, panel.time), feeBps: opts.feeBps };
}

/**
 * A stored candidate (`--run`, `--candidate`) with everything its run recorded: the config (its
 * folder, file, `--set` and dates; `--config-dir` may say where it lives now), the data (`--data`
 * likewise), tickers, fee and windows. The config and data must hash as they did for the run.
 */
function storedCandidate(opts: BacktestOptions): Setup {
  const runId = opts.run!;
  const conflicting = NOT_WITH_RUN.filter((k) => opts[k] !== undefined);
  if (conflicting.length > 0) throw new UsageError(`--run ${runId}: ${conflicting.map(flag).join(', ')}: the run recorded these; drop them`);
  if (opts.candidate === undefined) throw new UsageError(`--run ${runId}: give --candidate ID (pnlopt show ${runId} lists the front; pnlopt export ${runId} --out - every candidate)`);
  const id = opts.candidate;
  const { run, candidate } = withRunStore(opts, (open) => {
    const row = findRun(open, runId);
    return { run: row, candidate: open.store.candidate(row.run_id, id) };
  });
  const at = `--run ${run.run_id}`;
  if (candidate === undefined) throw new UsageError(`${at}: the run has no candidate ${id} (pnlopt export ${run.run_id} --out - lists them)`);
  const restored = runConfig(run, opts.configDir);
  if (restored === null) throw new UsageError(`${at}: the run recorded no settings to reproduce it with; backtest its parameters with --strategy and --params`);
  const { cfg, options: o } = restored;
  const configDir = opts.configDir ?? (typeof o.configDir === 'string' ? o.configDir : undefined);
  if (cfg.hash !== run.config_hash) {
    throw new UsageError(
      `${at}: the config in ${configDir ?? 'the package config/'} is not the one the run used (config_hash ${run.config_hash.slice(0, 12)}, now ${cfg.hash.slice(0, 12)}): ` +
        'give --config-dir with the run\'s config',
    );
  }
  const sources = opts.data ?? (o.data as string[]);
  const data = loadData(cfg, sources, opts.quiet);
  if (data.hash !== run.data_hash) {
    throw new UsageError(`${at}: the data (${sources.join(', ')}) is not the data the run used (data_hash ${run.data_hash.slice(0, 12)}, now ${data.hash.slice(0, 12)}): give --data with the run's data`);
  }
  if (run.code_version !== codeVersion()) note(opts, `${at} was made by pnlopt ${run.code_version}, this is ${codeVersion()}: its metrics may differ`);
  const panel = alignPanel(data, (o.tickers as string[] | null) ?? undefined);
  const families = runFamilies(run);
  const family = candidate.family ?? (families.length === 1 ? families[0] : undefined);
  if (family === undefined) throw new UsageError(`${at}: candidate ${id} has no recorded family (a store older than schema 3) and the run has several`);
  const layout = paramLayout(cfg, family, panel.tickers);
  const params = JSON.parse(candidate.paramsJson) as Record<string, number | string>;
  const { row, problems } = encodeNamedValues(layout, new Map(Object.entries(params).map(([k, v]) => [k, String(v)])));
  if (problems.length > 0) throw new UsageError(`${at}: candidate ${id}: ${problems.join('; ')}`);

  const recorded = storedJson(run.data_window_json) as { search?: BarWindow; holdout?: BarWindow; start?: number; end?: number } | null;
  const choice = opts.window ?? 'search';
  let window: StoredCandidate['window'] = choice;
  let bars: BarWindow | undefined;
  let metrics: Float64Array | null = null;
  if (runKind(run.command) === 'evaluate') {
    // One window: the bars the run traded.
    if (choice === 'holdout') throw new UsageError(`${at}: an evaluate run has no hold-out window; its one window is --window search (or all)`);
    if (recorded?.start !== undefined && recorded.end !== undefined) bars = { start: recorded.start, end: recorded.end };
    metrics = candidate.metrics;
    window = 'evaluated';
  } else if (recorded?.search !== undefined && recorded.holdout !== undefined) {
    bars = choice === 'search' ? recorded.search : choice === 'holdout' ? recorded.holdout : { start: recorded.search.start, end: recorded.holdout.end };
    metrics = choice === 'search' ? candidate.metrics : choice === 'holdout' ? candidate.holdoutMetrics : null;
  }
  if (bars === undefined || !(bars.start >= 0 && bars.start < bars.end && bars.end <= panel.T)) {
    throw new UsageError(`${at}: the run's recorded windows (${run.data_window_json ?? 'none'}) do not fit the data's ${panel.T} bars`);
  }
  const feeBps = typeof o.feeBps === 'number' ? o.feeBps : undefined;
  if (opts.equity !== undefined) checkOutputPath(opts.equity, '--equity');
  return {
    cfg, layout, row, data, panel, feeBps,
    window: { ...bars, dates: windowDates(panel.time, bars) },
    stored: { run_id: run.run_id, candidate_id: id, window, metrics },
  };
}

/** Whether a re-run metric row equals the stored one: equal numbers, or both NaN (JSON keeps no sign of zero). @returns the metrics that differ */
function differences(F: Float64Array, stored: Float64Array): string[] {
  return METRIC_NAMES.filter((_, j) => !(F[j] === stored[j] || (Number.isNaN(F[j]) && Number.isNaN(stored[j]))));
}

/** Run `pnlopt backtest` (declared in backtest-command.ts, which loads this module when the command runs). */
export async function backtestAction(opts: BacktestOptions): Promise<void> {
  const s = opts.run !== undefined ? storedCandidate(opts) : givenCandidate(opts);
  const { panel, window: w } = s;
  const ctx = await buildContext(s.cfg, s.layout, panel, s.data.hash, { start: w.start, end: w.end, feeBps: s.feeBps });
  const F = new Float64Array(METRIC_COUNT);
  const equity = new Float64Array(panel.T);
  createEvaluator(s.layout, ctx).evaluateWithEquity(s.row, equity, F);
  if (opts.equity !== undefined) {
    const lines = ['date,equity'];
    for (let t = w.start; t < w.end; t++) lines.push(`${formatTime(panel.time[t])},${equity[t]}`);
    writeOutput(opts.equity, lines.join('\n') + '\n', '--equity');
  }
  const metrics = metricRecord(F);
  const params = decodeRow(s.layout, s.row);
  const strategy = s.layout.family;
  const period = { start: w.dates[0], end: w.dates[1], bars: w.end - w.start };
  const hold = buyAndHold(panel, w.start, w.end);
  const storedMetrics = s.stored?.metrics ?? null;
  const diff = storedMetrics !== null ? differences(F, storedMetrics) : null;
  const reproduced =
    s.stored === undefined
      ? {}
      : { run: { ...s.stored, metrics: s.stored.metrics === null ? null : metricRecord(s.stored.metrics), equals_stored: diff === null ? null : diff.length === 0 } };
  const result = { strategy, params, data_hash: s.data.hash, bars: panel.T, tickers: panel.tickers, period, window: { start: w.start, end: w.end }, metrics, buy_and_hold: hold, ...reproduced };
  const storedLine = (r: StoredCandidate): string => {
    const what = `metrics the run stored for candidate ${r.candidate_id} on the ${WINDOW_NAMES[r.window]}`;
    if (diff === null) return `${what}: none (${r.window === 'all' ? 'it stores the search and hold-out windows apart' : r.window === 'holdout' ? 'only front candidates have hold-out metrics' : 'the candidate failed'})`;
    return diff.length === 0 ? `${what}: equal` : `${what}: DIFFERENT in ${diff.join(', ')}`;
  };
  const text = () =>
    [
      wrapList(`${strategy} on `, panel.tickers),
      ...(s.stored !== undefined ? [`run ${s.stored.run_id}, candidate ${s.stored.candidate_id}, on the ${WINDOW_NAMES[s.stored.window]}`] : []),
      `params: ${paramsArg(params)}`,
      `period: ${windowPeriod(w)}`,
      metricTable(metrics),
      `buy and hold: total_return ${pct(hold.total_return, 4)}, max_drawdown ${pct(hold.max_drawdown, 4)} ` +
        `(${panel.tickers.length > 1 ? 'each ticker' : 'one unit'} held from the first close to the last${panel.tickers.length > 1 ? ', equal-weighted' : ''}, no fees)`,
      ...(s.stored !== undefined ? [storedLine(s.stored)] : []),
    ].join('\n');
  printResult(opts, result, text, opts.equity);
  if (diff !== null && diff.length > 0) {
    process.stderr.write(`pnlopt: candidate ${s.stored!.candidate_id} of run ${s.stored!.run_id} does not reproduce its stored metrics on the ${WINDOW_NAMES[s.stored!.window]} (${diff.join(', ')}); exit ${EXIT_FAILURE}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
