/**
 * A run's report page model (src/report/html/model.ts), gathered in two steps:
 *
 * 1. `readStoredReport` (synchronous, one snapshot of the store): the overview, the governance
 *    record, every candidate with metrics (the Pareto scatter), the convergence per step, the
 *    strategy cache per family and regime, the paper sessions' fills, and hyperopt trials when
 *    the run's summary has them.
 * 2. `completeReport` (after the store is closed): what needs the run's config and data, restored
 *    from its record by the caller. The best configuration is simulated again over the search and
 *    hold-out windows for its equity curve, drawdown, buy and hold and trades, and the regimes of
 *    the run's first ticker (its regime ticker for a per-regime run) are detected for the timeline.
 *    Config or data that are gone or changed leave those sections out, with the reason in `notes`.
 *
 * Convergence: candidates in id order (the order they were proposed), in steps of the run's
 * generation (NSGA-II population, annealing chains, else the sampler batch); after each step the
 * best primary objective and the hypervolume of the front of the first two objectives, both over
 * the feasible candidates (every candidate when the run was not ranked). The hypervolume's
 * reference point is the worst value of each objective over those candidates, so it is fixed for
 * the whole curve.
 */
import { frontInsert2d, hypervolume2d } from '../../native-free-kernels/pareto/hypervolume-2d.js';
import { buyAndHoldPath, drawdownPath } from '../../native-free-kernels/portfolio/buy-and-hold.js';
import { METRIC_COUNT, METRIC_NAMES } from '../../native-free-kernels/portfolio/metrics.js';
import type { PnloptConfig } from '../config/load.js';
import { encodeNamedValues, paramLayout, type ParamLayout } from '../config/param-layout.js';
import { alignPanel } from '../data/panel.js';
import type { MarketData, Panel } from '../data/types.js';
import { formatTime } from '../data/validate.js';
import { InputError } from '../errors.js';
import { codeVersion } from '../paths.js';
import type {
  CacheRow, ConvergenceModel, EquityModel, GovernanceEntry, PaperSessionModel, ParamColumnModel, ParetoModel, RegimeModel, ReportModel, TradeRow, TrialPoint,
} from '../report/html/model.js';
import { Stored } from '../store/candidate-tables.js';
import { PaperBook } from '../store/paper-book.js';
import { runFamilies, runKind, storedJson, type RunRow, type RunStore } from '../store/run-store.js';
import { StrategyCache } from '../store/strategy-cache.js';
import type { SimulationContext } from '../simulation/context.js';
import { createEvaluator } from '../simulation/evaluator.js';
import { familyModule } from '../simulation/families/index.js';
import { initialPaperState, markToClose, runPaperBars } from '../simulation/paper-engine.js';
import { buildContext } from './context.js';
import { ALL_REGIMES } from './optimize.js';
import { spliceBars } from './per-regime.js';
import { detectRegimes, type TickerRegimes } from './regime.js';
import type { BarWindow } from './windows.js';

/** The config and data a run was made with, as restored from its record, or why they could not be. */
export type Replay = { readonly cfg: PnloptConfig; readonly data: MarketData } | { readonly unavailable: string };

/** The best configuration of a run, as its summary reports it. */
interface BestCandidate {
  readonly candidate_id: number;
  readonly family: string;
  readonly params: Record<string, number | string>;
}

/** The report's sections read from the store, and what `completeReport` needs of the run. */
export interface StoredReport {
  readonly run: RunRow;
  readonly model: Omit<ReportModel, 'equity' | 'trades' | 'tradesExact' | 'regimes' | 'notes'>;
  readonly notes: readonly string[];
  readonly best: BestCandidate | null;
}

interface RecordedSettings {
  readonly objectives?: readonly { metric: string; direction: 'minimize' | 'maximize' }[];
  readonly primary_objective?: string;
  readonly sampling?: { batch_size?: number };
  readonly nsga2?: { population?: number };
  readonly annealing?: { chains?: number };
}

interface RecordedWindow {
  readonly tickers?: readonly string[];
  readonly search?: BarWindow;
  readonly holdout?: BarWindow;
}

interface RecordedRegime {
  readonly regime?: string;
  readonly ticker?: string;
  readonly source_data_hash?: string;
}

function objectOr<T>(v: unknown): T | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as T) : null;
}

/** Read every store-side section of the report of `run`, in one snapshot. */
export function readStoredReport(store: RunStore, run: RunRow): StoredReport {
  return store.snapshot(() => {
    const summary = run.status === 'running' ? null : objectOr<Record<string, unknown>>(storedJson(run.summary_json));
    const sampler = objectOr<{ optimizer?: string; settings?: RecordedSettings }>(storedJson(run.sampler_json));
    const settings = sampler?.settings ?? null;
    const best = bestOf(summary);
    const adopted = typeof summary?.adopted === 'boolean' ? summary.adopted : null;
    const notes: string[] = [];
    const pareto = paretoOf(store, run, settings, best, adopted === true);
    if (pareto === null) notes.push('No candidate with metrics is stored for this run: no Pareto front or convergence.');
    const convergence = pareto === null || settings === null ? null : convergenceOf(pareto, settings, run.optimizer);
    const trials = trialsOf(summary);
    const overview = {
      run_id: run.run_id,
      status: run.status,
      kind: runKind(run.command),
      families: runFamilies(run),
      optimizer: run.optimizer,
      seed: run.seed,
      budget: run.budget,
      stored: store.countStored(run.run_id),
      started_at: run.created_at,
      finished_at: run.finished_at,
      adopted,
      adoption_reason: typeof summary?.adoption_reason === 'string' ? summary.adoption_reason : null,
      best_id: best?.candidate_id ?? null,
    };
    return {
      run,
      best,
      notes,
      model: {
        title: `pnlopt run ${run.run_id}`,
        generator: codeVersion(),
        run: overview,
        governance: governanceOf(run),
        pareto,
        convergence,
        cache: cacheRows(new StrategyCache(store.dbm).entries()),
        trials,
        paper: paperSessionsOf(new PaperBook(store.dbm)),
      },
    };
  });
}

/** The command that made a run (`optimize`, `evaluate`): stored as the name or as the command line `pnlopt evaluate ...`. */
function bestOf(summary: Record<string, unknown> | null): BestCandidate | null {
  const b = objectOr<Partial<BestCandidate>>(summary?.best);
  if (b === null || typeof b.candidate_id !== 'number' || typeof b.family !== 'string' || objectOr(b.params) === null) return null;
  return { candidate_id: b.candidate_id, family: b.family, params: b.params! };
}

/** The seed's governance record: ranges, sampler, seed, data hash and window, regime, constraints, code version. */
function governanceOf(run: RunRow): GovernanceEntry[] {
  return [
    { label: 'command', value: run.command },
    { label: 'seed', value: run.seed ?? '-' },
    { label: 'code version', value: run.code_version },
    { label: 'config hash', value: run.config_hash },
    { label: 'data hash', value: run.data_hash },
    { label: 'data window', value: storedJson(run.data_window_json) },
    { label: 'parameter ranges', value: storedJson(run.param_ranges_json) },
    { label: 'sampler', value: storedJson(run.sampler_json) },
    { label: 'regime', value: storedJson(run.regime_json) },
    { label: 'constraints', value: storedJson(run.constraints_json) },
    { label: 'invocation', value: storedJson(run.invocation_json) },
  ];
}

/** Every stored candidate with metrics, in id order, as typed columns. */
function paretoOf(store: RunStore, run: RunRow, settings: RecordedSettings | null, best: BestCandidate | null, adopted: boolean): ParetoModel | null {
  const id = run.run_id;
  const families = store.families(id);
  const cap = store.countStored(id);
  if (cap === 0) return null;
  const ranking = store.rankingColumns(id);
  // Parameters by name over the families; a categorical's choices united, each family's index mapped into them.
  const names = [...new Set(families.flatMap((f) => f.columns.map((c) => c.name)))];
  const choices = names.map((name) => {
    const all = families.flatMap((f) => f.columns.find((c) => c.name === name)?.choices ?? []);
    return all.length === 0 ? null : [...new Set(all)];
  });
  const columnOf = families.map((f) =>
    names.map((name, j) => {
      const col = f.columns.findIndex((c) => c.name === name);
      const own = col < 0 ? undefined : f.columns[col].choices;
      return { col, map: own === undefined ? null : own.map((c) => choices[j]!.indexOf(c)) };
    }),
  );
  const ids = new Int32Array(cap);
  const family = new Int32Array(cap);
  const feasible = new Uint8Array(cap);
  const frontRank = new Int32Array(cap);
  const metrics = METRIC_NAMES.map(() => new Float32Array(cap));
  const params = names.map(() => new Float32Array(cap).fill(NaN));
  let n = 0;
  for (const c of store.chunks(id, families)) {
    for (let k = 0; k < c.count; k++) {
      if (c.stored[k] !== Stored.ok) continue;
      const cid = c.first + k;
      const f = c.family[k];
      ids[n] = cid;
      family[n] = f;
      for (let j = 0; j < METRIC_COUNT; j++) metrics[j][n] = c.metrics[k * METRIC_COUNT + j];
      if (f >= 0) {
        columnOf[f].forEach((at, j) => {
          if (at.col < 0) return;
          const v = c.params[k * c.width + at.col];
          params[j][n] = at.map === null || Number.isNaN(v) ? v : at.map[v];
        });
      }
      const ranked = ranking !== null && cid < ranking.frontRank.length && ranking.frontRank[cid] >= 0;
      feasible[n] = !ranked ? 2 : ranking.violation[cid] === 0 ? 1 : 0;
      frontRank[n] = ranked ? ranking.frontRank[cid] : -1;
      n++;
    }
  }
  if (n === 0) return null;
  const objectives = settings?.objectives ?? [];
  return {
    objectives: objectives.length > 0 ? objectives : [{ metric: METRIC_NAMES[0], direction: 'maximize' }],
    metricNames: METRIC_NAMES,
    ids: ids.slice(0, n),
    families: families.map((f) => f.name),
    family: family.slice(0, n),
    metrics: metrics.map((m) => m.slice(0, n)),
    feasible: feasible.slice(0, n),
    frontRank: frontRank.slice(0, n),
    params: names.map((name, j): ParamColumnModel => ({ name, choices: choices[j], values: params[j].slice(0, n) })),
    bestId: best?.candidate_id ?? null,
    adopted,
  };
}

/** Candidates per convergence step: the optimizer's generation or batch as the run recorded its settings. */
function stepOf(settings: RecordedSettings, optimizer: string | null): { size: number; label: string } | null {
  const population = settings.nsga2?.population;
  const chains = settings.annealing?.chains;
  const batch = settings.sampling?.batch_size;
  if (optimizer === 'nsga2' && population !== undefined) return { size: population, label: `generation of ${population} candidates` };
  if (optimizer === 'anneal' && chains !== undefined) return { size: chains, label: `step of ${chains} chains` };
  if (batch !== undefined) return { size: batch, label: `batch of ${batch} candidates` };
  return null;
}

function convergenceOf(p: ParetoModel, settings: RecordedSettings, optimizer: string | null): ConvergenceModel | null {
  const step = stepOf(settings, optimizer);
  const objectives = settings.objectives ?? [];
  const primaryName = settings.primary_objective ?? objectives[0]?.metric;
  if (step === null || primaryName === undefined || objectives.length === 0) return null;
  const pair = objectives.length > 1 ? [objectives[0], objectives[1]] : [objectives[0], objectives[0]];
  const col = (m: string) => p.metricNames.indexOf(m);
  const [cx, cy, cp] = [col(pair[0].metric), col(pair[1].metric), col(primaryName)];
  if (cx < 0 || cy < 0 || cp < 0) return null;
  // Minimised forms, as the search ranks them.
  const sx = pair[0].direction === 'maximize' ? -1 : 1;
  const sy = pair[1].direction === 'maximize' ? -1 : 1;
  const primaryMax = objectives.find((o) => o.metric === primaryName)?.direction !== 'minimize';
  const anyRanked = p.feasible.some((f) => f !== 2);
  const counted = (i: number) => (anyRanked ? p.feasible[i] === 1 : true);
  const n = p.ids.length;
  let rx = -Infinity, ry = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = sx * p.metrics[cx][i], y = sy * p.metrics[cy][i];
    if (!counted(i) || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    rx = Math.max(rx, x);
    ry = Math.max(ry, y);
  }
  const steps = Math.ceil((p.ids[n - 1] + 1) / step.size);
  const evaluated = new Int32Array(steps);
  const best = new Float64Array(steps).fill(NaN);
  const hypervolume = new Float64Array(steps).fill(NaN);
  const fx = new Float64Array(n), fy = new Float64Array(n);
  let size = 0, top = NaN, i = 0;
  for (let s = 0; s < steps; s++) {
    const end = Math.min((s + 1) * step.size, p.ids[n - 1] + 1);
    for (; i < n && p.ids[i] < end; i++) {
      if (!counted(i)) continue;
      const v = p.metrics[cp][i];
      if (Number.isFinite(v) && (Number.isNaN(top) || (primaryMax ? v > top : v < top))) top = v;
      const x = sx * p.metrics[cx][i], y = sy * p.metrics[cy][i];
      if (Number.isFinite(x) && Number.isFinite(y)) size = frontInsert2d(fx, fy, size, x, y);
    }
    evaluated[s] = end;
    best[s] = top;
    if (size > 0) hypervolume[s] = hypervolume2d(fx, fy, size, rx, ry);
  }
  return { step: step.label, primary: primaryName, pair: [pair[0].metric, pair[1].metric], reference: [rx, ry], evaluated, best, hypervolume };
}

/** Hyperopt trials from the run's summary (`trials: [{trial, score, kind}]`), or null when it has none. */
function trialsOf(summary: Record<string, unknown> | null): TrialPoint[] | null {
  const t = summary?.trials;
  if (!Array.isArray(t)) return null;
  return t.flatMap((x): TrialPoint[] => {
    const o = objectOr<Partial<TrialPoint>>(x);
    return o !== null && typeof o.trial === 'number' && typeof o.score === 'number' && (o.kind === 'explore' || o.kind === 'exploit') ? [{ trial: o.trial, score: o.score, kind: o.kind }] : [];
  });
}

function cacheRows(entries: ReturnType<StrategyCache['entries']>): CacheRow[] {
  // entries() is oldest first within a family and regime: the last of each is the current one.
  const newest = new Map<string, number>();
  entries.forEach((e, k) => newest.set(`${e.family}\u0000${e.regime}`, k));
  return entries.map((e, k) => ({
    family: e.family,
    regime: e.regime,
    status: e.status,
    run_id: e.run_id,
    created_at: e.created_at,
    data_hash: e.data_hash,
    window: storedJson(e.window_json),
    params: storedJson(e.params_json),
    metrics: storedJson(e.metrics_json),
    holdout_metrics: storedJson(e.holdout_metrics_json),
    current: newest.get(`${e.family}\u0000${e.regime}`) === k,
  }));
}

function paperSessionsOf(book: PaperBook): PaperSessionModel[] {
  return book.sessions().map((s) => {
    const fills = book.fills(s.session_id);
    const columns = fills.length > 0 ? Object.keys(fills[0]) : [];
    const realized = fills.filter((f) => f.realized_pnl !== null);
    const realizedTime = Float64Array.from(realized, (f) => f.ts);
    const realizedPnl = new Float64Array(realized.length);
    let sum = 0;
    realized.forEach((f, k) => (realizedPnl[k] = sum += f.realized_pnl!));
    const tickers = storedJson(s.tickers_json);
    return {
      session_id: s.session_id,
      family: s.family,
      tickers: Array.isArray(tickers) ? tickers.map(String) : [],
      initial_capital: s.initial_capital,
      first: formatTime(s.first_ts),
      last: formatTime(s.last_ts),
      bars: s.bars,
      columns,
      fills: fills.map((f) => Object.values(f) as (string | number | null)[]),
      realizedTime,
      realizedPnl,
    };
  });
}

/** Buy and hold of `initial` over bars [start, end) of the panel (`buyAndHoldPath`). */
function buyAndHoldOf(panel: Panel, start: number, end: number, initial: number): Float64Array {
  const out = new Float64Array(end - start);
  buyAndHoldPath(panel.close, panel.tickers.length, panel.T, start, end, initial, out);
  return out;
}

/** The drawdown at each bar of an equity curve (`drawdownPath`). */
function drawdownOf(equity: Float64Array, initial: number): Float64Array {
  const out = new Float64Array(equity.length);
  drawdownPath(equity, initial, equity.length, out);
  return out;
}

/**
 * Stretches in the market read from an equity curve: a bar whose equity differs from the bar
 * before it holds a position or a fill, and a run of such bars is one stretch, from the bar whose
 * fill opened it to the bar whose fill closed it (the equity stays put while flat). The PnL is the
 * equity at its last bar less the equity before its first.
 */
export function marketStretches(time: Float64Array, equity: Float64Array, initial: number): TradeRow[] {
  const trades: TradeRow[] = [];
  let from = -1;
  const close = (last: number) => {
    const before = from === 0 ? initial : equity[from - 1];
    trades.push({ ticker: null, entry: formatTime(time[from]), exit: formatTime(time[last]), bars: last - from + 1, pnl: equity[last] - before, return: equity[last] / before - 1 });
    from = -1;
  };
  for (let t = 0; t < equity.length; t++) {
    const moved = equity[t] !== (t === 0 ? initial : equity[t - 1]);
    if (moved && from < 0) from = t;
    else if (!moved && from >= 0) close(t - 1);
  }
  if (from >= 0) close(equity.length - 1);
  return trades;
}

/** The data the run searched: its data as loaded, or, for a per-regime run, that data's bars of the run's regime spliced again. */
function runData(run: RunRow, data: MarketData, reference: TickerRegimes | null): MarketData | string {
  if (data.hash === run.data_hash) return data;
  const regime = objectOr<RecordedRegime>(storedJson(run.regime_json));
  if (regime?.source_data_hash !== data.hash || regime.regime === undefined || reference === null) {
    return `the data at hand (hash ${data.hash.slice(0, 12)}) is not the run's (data_hash ${run.data_hash.slice(0, 12)})`;
  }
  const index = reference.keys.findIndex((k) => k.key === regime.regime);
  const part = spliceBars(data, reference, (t) => reference.labels[t] === index, regime.regime);
  return part.data.hash === run.data_hash ? part.data : `the run's regime ${regime.regime} does not splice to its data again (data_hash ${run.data_hash.slice(0, 12)})`;
}

/** The run's first ticker, or its regime ticker for a per-regime run: the ticker of the regime timeline. */
function timelineTicker(run: RunRow, data: MarketData): string | undefined {
  const regime = objectOr<RecordedRegime>(storedJson(run.regime_json));
  const window = objectOr<RecordedWindow>(storedJson(run.data_window_json));
  return regime?.ticker ?? window?.tickers?.[0] ?? data.series[0]?.ticker;
}

function regimesOf(run: RunRow, cfg: PnloptConfig, data: MarketData, notes: string[]): { model: RegimeModel; labels: TickerRegimes } | null {
  const ticker = timelineTicker(run, data);
  const series = data.series.find((s) => s.ticker === ticker);
  if (series === undefined) {
    notes.push(`Regimes: the data has no ticker ${ticker ?? '(none)'}.`);
    return null;
  }
  let labels: TickerRegimes;
  try {
    labels = detectRegimes(series, cfg.regime.regimes, cfg.strategy.forecast_models.garch, data.sources.join(', '));
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    notes.push(`Regimes not shown: ${err.message}`);
    return null;
  }
  const model: RegimeModel = {
    ticker: series.ticker,
    time: series.time,
    close: series.close,
    keys: labels.keys.map((k) => k.key),
    segments: labels.segments.map((g) => ({ start: g.start, end: g.end, key: labels.keys.findIndex((k) => k.key === g.regime) })),
  };
  return { model, labels };
}

async function equityOf(run: RunRow, best: BestCandidate, cfg: PnloptConfig, data: MarketData): Promise<{ equity: EquityModel; trades: TradeRow[]; tradesExact: boolean } | string> {
  if (cfg.hash !== run.config_hash) return `the config at hand is not the run's (config_hash ${run.config_hash.slice(0, 12)}, now ${cfg.hash.slice(0, 12)})`;
  const w = objectOr<RecordedWindow>(storedJson(run.data_window_json));
  if (w?.search === undefined || w.holdout === undefined) return 'the run recorded no search and hold-out windows';
  const panel = alignPanel(data, w.tickers);
  const start = w.search.start, end = w.holdout.end;
  if (!(start >= 0 && start < end && end <= panel.T)) return `the run's windows (bars ${start}..${end}) do not fit the data's ${panel.T} bars`;
  const layout = paramLayout(cfg, best.family, panel.tickers);
  const { row, problems } = encodeNamedValues(layout, new Map(Object.entries(best.params).map(([k, v]) => [k, String(v)])));
  if (problems.length > 0) return `candidate ${best.candidate_id}: ${problems.join('; ')}`;
  const ctx = await buildContext(cfg, layout, panel, data.hash, { start, end });
  const full = new Float64Array(panel.T);
  createEvaluator(layout, ctx).evaluateWithEquity(row, full, new Float64Array(METRIC_COUNT));
  const initial = cfg.strategy.simulation.initial_capital;
  const time = panel.time.slice(start, end);
  const equity = full.slice(start, end);
  const band = (name: string, b: BarWindow) => ({ name, from: panel.time[b.start], to: panel.time[b.end - 1] });
  return {
    equity: {
      candidate_id: best.candidate_id,
      family: best.family,
      params: best.params,
      time,
      equity,
      drawdown: drawdownOf(equity, initial),
      buyHold: buyAndHoldOf(panel, start, end, initial),
      windows: [band('search', w.search), band('hold-out', w.holdout)],
    },
    ...tradesOf(layout, ctx, row, panel, start, end, time, equity, initial),
  };
}

/**
 * The closed trades of one configuration over bars [start, end): for a family with a live strategy,
 * its fills from the paper-trading engine with that configuration at every bar, which gives the
 * backtest's equity curve bit for bit (tests/simulation/paper-engine.test.ts); else the stretches
 * in the market read from the equity curve.
 */
function tradesOf(
  layout: ParamLayout, ctx: SimulationContext, row: Float64Array, panel: Panel, start: number, end: number, time: Float64Array, equity: Float64Array, initial: number,
): { trades: TradeRow[]; tradesExact: boolean } {
  const createLive = familyModule(layout).createLive;
  if (createLive === undefined) return { trades: marketStretches(time, equity, initial), tradesExact: false };
  const state = initialPaperState(panel.tickers.length, initial);
  const route = { row: Array.from(row), source: 'baseline', configId: null, regime: ALL_REGIMES, mode: null } as const;
  const open = new Map<number, { t: number; equity: number }>();
  const trades: TradeRow[] = [];
  let equityBefore = initial;
  runPaperBars({
    live: createLive(layout, ctx), panel, from: start, to: end, state, fee: ctx.settings.fee, routeAt: () => route, multiplier: () => 1,
    onBar: (t, fills) => {
      for (const f of fills) {
        if (f.realizedPnl === null) open.set(f.k, { t, equity: equityBefore });
        else {
          const o = open.get(f.k)!;
          open.delete(f.k);
          trades.push({ ticker: panel.tickers[f.k], entry: formatTime(panel.time[o.t]), exit: formatTime(panel.time[t]), bars: t - o.t + 1, pnl: f.realizedPnl, return: f.realizedPnl / o.equity });
        }
      }
      equityBefore = markToClose(state, panel, t);
    },
  });
  return { trades, tradesExact: true };
}

/** What `completeReport` computes beyond the equity. */
export interface ReportScope {
  /** Detect the regimes for the timeline (seconds on long data: GARCH refits); `optimize` leaves them to `pnlopt report`. */
  readonly regimes: boolean;
}

/** The whole page model: the stored sections and, where the run's config and data are at hand, the simulated ones. */
export async function completeReport(stored: StoredReport, replay: Replay, scope: ReportScope = { regimes: true }): Promise<ReportModel> {
  const notes = [...stored.notes];
  let equity: EquityModel | null = null;
  let trades: TradeRow[] | null = null;
  let tradesExact = false;
  let regimes: RegimeModel | null = null;
  if ('unavailable' in replay) notes.push(`Equity, trades and regimes not shown: ${replay.unavailable}.`);
  else {
    const r = scope.regimes ? regimesOf(stored.run, replay.cfg, replay.data, notes) : null;
    if (!scope.regimes) notes.push(`Regimes not detected for this page (pnlopt report --run ${stored.run.run_id} adds the timeline).`);
    regimes = r?.model ?? null;
    if (stored.best === null) notes.push('No best configuration under constraints: no equity curve or trades.');
    else {
      const data = runData(stored.run, replay.data, r?.labels ?? null);
      const result = typeof data === 'string' ? data : await equityOf(stored.run, stored.best, replay.cfg, data);
      if (typeof result === 'string') notes.push(`Equity and trades not shown: ${result}.`);
      else ({ equity, trades, tradesExact } = result);
    }
  }
  return { ...stored.model, equity, trades, tradesExact, regimes, notes };
}
