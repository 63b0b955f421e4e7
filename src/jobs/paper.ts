/**
 * Paper trading (`pnlopt paper`; the seed's live side): the bars replayed one at a time, causally,
 * through the live path: each ticker's regime at the close, the cached configuration for it (or
 * the family baseline, with the reason), the signal, the guardrails, the sizing scaled by the
 * ticker's regime-state multiplier, the execution model (src/simulation/paper-engine.ts). Every fill
 * is a `trade_executions` row; a bar's fills and the engine state are committed together.
 *
 * Routing at close t (decided from what was known at t):
 * - the regime is the ticker's causal label at t (`detectAllRegimes`);
 * - a cache entry of the family's current version for that regime is eligible when the data it
 *   was chosen and gated on ends on or before t's day (its windows' last date); the newest eligible
 *   entry is served unless its data ends more than `cache.max_data_lag_bars` bars before t (stale);
 * - a regime without an eligible entry (or a bar without a label) falls back to the eligible entries
 *   of regime `all`, which a plain (not per-regime) optimize run adopts under;
 * - otherwise the baseline (`families.<name>.baseline`) is served, and the summary says why.
 *
 * A session is one family, basket and initial capital: `--from` defaults to the bar after the last
 * recorded one, and bars already recorded are never replayed again (idempotent).
 */
import { canonicalJson, sha256 } from '../hashing.js';
import type { PnloptConfig } from '../config/load.js';
import { paramLayout, type ParamLayout } from '../config/param-layout.js';
import { loadRegimeState, regimeStatePath, riskMultiplier } from '../config/regime-state-file.js';
import { alignPanel } from '../data/panel.js';
import type { MarketData, Panel } from '../data/types.js';
import { formatTime } from '../data/validate.js';
import { InterruptedError, UsageError } from '../errors.js';
import { displayPath } from '../paths.js';
import { familyModule, familyVersion } from '../simulation/families/index.js';
import { initialPaperState, runPaperBars, type PaperFill, type PaperState, type Route } from '../simulation/paper-engine.js';
import { storeOf, type StoreSource } from '../store/database.js';
import { booksOf, PaperBook, type ExecutionRow } from '../store/paper-book.js';
import { StrategyCache, type StrategyConfigRow } from '../store/strategy-cache.js';
import { encoded } from './best.js';
import { buildContext } from './context.js';
import { ALL_REGIMES } from './optimize.js';
import { barsThrough, dayOf, firstBarFrom } from './etl.js';
import { detectAllRegimes } from './regime.js';

/** Bars traded between two checks of the interrupt signal (each bar is committed as it ends). */
const BARS_PER_SLICE = 64;
/** The regime of a bar before the ticker's first label. */
const UNLABELLED = 'unlabelled';

export interface PaperRequest {
  readonly cfg: PnloptConfig;
  readonly data: MarketData;
  readonly tickers?: readonly string[] | undefined;
  /** Default `paper.family`. */
  readonly family?: string | undefined;
  /** First and last day to replay, `YYYY-MM-DD`. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly dbm: StoreSource;
  readonly signal?: AbortSignal | undefined;
  readonly now?: Date;
  /** Bars replayed so far of this call's range. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Which configuration a regime was traded with, and why. */
export interface RouteUse {
  readonly regime: string;
  readonly source: 'cache' | 'baseline';
  readonly config_id: number | null;
  readonly reason: string;
  /** Ticker-bars decided under it in this call. */
  readonly decisions: number;
}

export interface PaperSummary {
  readonly session_id: string;
  readonly family: string;
  readonly tickers: readonly string[];
  /** Bars the session has recorded, this call's included. */
  readonly bars: number;
  /** Bars this call added (0 when the range was already recorded). */
  readonly new_bars: number;
  readonly first_bar: string;
  readonly last_bar: string;
  /** Closed trades (fills with a realized PnL) and fills of the whole session. */
  readonly trades: number;
  readonly fills: number;
  readonly initial_capital: number;
  readonly cash: number;
  readonly positions: Record<string, number>;
  readonly final_equity: number;
  readonly realized_pnl: number;
  readonly regime_state: string | null;
  readonly routes: readonly RouteUse[];
}

/** The session of a family, basket and initial capital. */
export function paperSessionId(family: string, tickers: readonly string[], initialCapital: number): string {
  return sha256(canonicalJson({ family, tickers, initial_capital: initialCapital })).slice(0, 16);
}

export async function runPaper(req: PaperRequest): Promise<PaperSummary> {
  const { cfg } = req;
  const family = req.family ?? cfg.paper.paper.family;
  if (!Object.hasOwn(cfg.strategy.families, family)) {
    throw new UsageError(`--family ${family}: not a family of ${displayPath(cfg.files.strategy)} (families: ${Object.keys(cfg.strategy.families).join(', ')})`);
  }
  const panel = alignPanel(req.data, req.tickers);
  const layout = paramLayout(cfg, family, panel.tickers);
  const module = familyModule(layout);
  if (module.createLive === undefined) throw new UsageError(`family ${family} (kernel ${layout.kernel}) has no live strategy to paper trade; choose a family on a time-series kernel`);
  const initialCapital = cfg.strategy.simulation.initial_capital;
  const sessionId = paperSessionId(family, panel.tickers, initialCapital);
  // Everything that can refuse the input is checked before the store is written.
  const statePath = regimeStatePath(cfg.paper.regime_state);
  const regimeState = loadRegimeState(statePath);
  const book = new PaperBook(storeOf(req.dbm));
  const session = book.session(sessionId);
  const range = replayRange(req, panel, session === undefined ? null : { lastTs: session.last_ts });
  const state: PaperState = session === undefined ? initialPaperState(panel.tickers.length, initialCapital) : (JSON.parse(session.state_json) as PaperState);
  const mult = panel.tickers.map((ticker) => riskMultiplier(cfg.paper.regime_state, regimeState, ticker));
  const router = range.to > range.from ? await createRouter(cfg, layout, panel, req.data, new StrategyCache(storeOf(req.dbm)), mult.map((m) => m.mode)) : null;
  const newSession = { sessionId, family, tickers: panel.tickers, initialCapital };
  const now = req.now ?? new Date();
  if (router !== null) {
    const live = module.createLive(layout, router.ctx);
    const fee = cfg.strategy.simulation.fee_bps / 1e4;
    for (let from = range.from; from < range.to; from += BARS_PER_SLICE) {
      if (req.signal?.aborted === true) throw new InterruptedError(`paper trading stopped by ${String(req.signal.reason)} after ${from - range.from} of ${range.to - range.from} bars; every finished bar is recorded, and pnlopt paper continues from the next`);
      runPaperBars({
        live, panel, from, to: Math.min(range.to, from + BARS_PER_SLICE), state, fee,
        routeAt: router.routeAt,
        multiplier: (k) => mult[k].multiplier,
        onBar: (t, fills, st) => book.recordBars(newSession, [panel.time[t]], fills.map((f) => executionRow(f, panel, family)), JSON.stringify(st), now),
      });
      req.onProgress?.(Math.min(range.to, from + BARS_PER_SLICE) - range.from, range.to - range.from);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  const recorded = book.session(sessionId);
  if (recorded === undefined) throw new UsageError(`nothing to replay: ${range.why}`);
  const lastBar = barIndexOf(panel, recorded.last_ts);
  const books = booksOf(book.fills(sessionId), initialCapital, (ticker) => panel.close[panel.tickers.indexOf(ticker) * panel.T + lastBar]);
  return {
    session_id: sessionId, family, tickers: panel.tickers, bars: recorded.bars, new_bars: range.to - range.from,
    first_bar: formatTime(recorded.first_ts), last_bar: formatTime(recorded.last_ts),
    trades: books.trades, fills: books.fills, initial_capital: initialCapital, cash: books.cash, positions: books.positions,
    final_equity: books.equity, realized_pnl: books.realizedPnl, regime_state: regimeState === null ? null : displayPath(statePath),
    routes: router === null ? [] : router.uses(),
  };
}

/** A fill as its row. */
function executionRow(f: PaperFill, panel: Panel, family: string): ExecutionRow {
  return {
    ts: panel.time[f.t], ticker: panel.tickers[f.k], side: f.side, quantity: f.quantity, price: f.price, fees: f.fees, slippage: f.slippage,
    realized_pnl: f.realizedPnl, family, source: f.route.source, config_id: f.route.configId, regime: f.route.regime, mode: f.route.mode,
  };
}

/** The bar of `ts` in the panel; the session's bars must be in the data it continues on. */
function barIndexOf(panel: Panel, ts: number): number {
  const i = panel.time.indexOf(ts);
  if (i < 0) throw new UsageError(`the data has no bar at ${formatTime(ts)}, the paper session's last recorded bar: give data that covers it`);
  return i;
}


/**
 * Bars [from, to) this call replays: a new session from --from (default `paper.default_bars` before
 * the end); a recorded one from the bar after its last, whatever --from says before that.
 */
function replayRange(req: PaperRequest, panel: Panel, session: { lastTs: number } | null): { from: number; to: number; why: string } {
  const lastDay = dayOf(panel.time[panel.T - 1]);
  const requested = req.from === undefined ? null : firstBarFrom(panel.time, req.from);
  if (requested !== null && requested >= panel.T) throw new UsageError(`--from ${req.from} is after the data's last bar (${lastDay})`);
  const to = req.to === undefined ? panel.T : barsThrough(panel.time, req.to);
  if (req.to !== undefined && to === 0) throw new UsageError(`--to ${req.to} is before the data's first bar (${dayOf(panel.time[0])})`);
  if (session === null) {
    const from = requested ?? Math.max(1, panel.T - req.cfg.paper.paper.default_bars);
    if (from >= to) throw new UsageError(`--from ${req.from ?? formatTime(panel.time[from])} is after --to ${req.to}`);
    return { from: Math.max(1, from), to, why: '' };
  }
  const next = barIndexOf(panel, session.lastTs) + 1;
  if (requested !== null && requested > next) {
    throw new UsageError(`--from ${req.from} would leave a gap after the session's last recorded bar ${formatTime(session.lastTs)}: omit --from to continue from ${next < panel.T ? formatTime(panel.time[next]) : 'the next bar'}`);
  }
  return { from: next, to: Math.max(next, to), why: `every bar up to ${formatTime(session.lastTs)} is already recorded` };
}

interface Router {
  readonly ctx: Awaited<ReturnType<typeof buildContext>>;
  readonly routeAt: (k: number, t: number) => Route;
  readonly uses: () => RouteUse[];
}

/** Each ticker's regime per panel bar, and the configuration served for it at each close. */
async function createRouter(cfg: PnloptConfig, layout: ParamLayout, panel: Panel, data: MarketData, cache: StrategyCache, modes: readonly (string | null)[]): Promise<Router> {
  const ctx = await buildContext(cfg, layout, panel, data.hash, { start: 0, end: panel.T, feeBps: undefined });
  const regimes = detectAllRegimes({ ...data, series: panel.tickers.map((t) => data.series.find((s) => s.ticker === t)!) }, cfg);
  // Each ticker's label at each panel bar (the panel's calendar is in every series').
  const regimeAt = regimes.map((r) => {
    const keys = new Array<string>(panel.T);
    let j = 0;
    for (let t = 0; t < panel.T; t++) {
      while (r.time[j] < panel.time[t]) j++;
      keys[t] = r.labels[j] < 0 ? UNLABELLED : r.keys[r.labels[j]].key;
    }
    return keys;
  });
  const version = familyVersion(layout);
  const maxLag = cfg.strategy.cache.max_data_lag_bars;
  const entries = new Map<string, { row: StrategyConfigRow; lastDay: string | null; params: readonly number[] }[]>();
  const entriesOf = (regime: string) => {
    let list = entries.get(regime);
    if (list === undefined) {
      list = cache.entriesFor(layout.family, version, regime).map((row) => ({
        row, lastDay: lastDayOf(row), params: Array.from(encoded(layout, JSON.parse(row.params_json) as Record<string, number | string>, `strategy_configs row ${row.id}`)),
      }));
      entries.set(regime, list);
    }
    return list;
  };
  const baseline = cfg.strategy.families[layout.family].baseline;
  const baselineRow = baseline === undefined ? null : Array.from(encoded(layout, baseline, `families.${layout.family}.baseline`));
  const routes = new Map<string, Route>();
  const counts = new Map<string, { use: Omit<RouteUse, 'decisions'>; n: number }>();
  const routeAt = (k: number, t: number): Route => {
    const regime = regimeAt[k][t];
    const day = dayOf(panel.time[t]);
    const list = regime === UNLABELLED ? [] : entriesOf(regime);
    const usable = (e: (typeof list)[number]) => e.lastDay !== null && e.lastDay <= day;
    // No entry of the regime: one chosen on every bar (a plain optimize run) is a valid, less specific candidate.
    const own = list.find(usable);
    const eligible = own ?? entriesOf(ALL_REGIMES).find(usable);
    const fallback = own === undefined && eligible !== undefined ? ` (no usable entry for ${regime}: the ${ALL_REGIMES}-regime entry)` : '';
    let use: Omit<RouteUse, 'decisions'>;
    let row: readonly number[];
    if (eligible !== undefined && barsSince(panel, t, eligible.lastDay!, maxLag) <= maxLag) {
      use = { regime, source: 'cache', config_id: eligible.row.id, reason: `cached by run ${eligible.row.run_id} on data up to ${eligible.lastDay}${fallback}` };
      row = eligible.params;
    } else {
      const why =
        eligible !== undefined ? `the newest usable entry (${eligible.row.id}${fallback}) was chosen on data ending ${eligible.lastDay}, more than cache.max_data_lag_bars (${maxLag}) bars before`
        : regime === UNLABELLED ? 'no regime label yet (warm-up)'
        : list.length > 0 ? `no cached configuration for ${regime} was chosen on data ending by then (the oldest ends ${list.at(-1)!.lastDay ?? 'at an unknown date'})`
        : `no cached configuration of ${layout.family} for ${regime}`;
      if (baselineRow === null) throw new UsageError(`${why}, and ${displayPath(cfg.files.strategy)} has no families.${layout.family}.baseline to trade instead: add one, or run pnlopt optimize --per-regime`);
      use = { regime, source: 'baseline', config_id: null, reason: `${why}: trading the baseline (families.${layout.family}.baseline)` };
      row = baselineRow;
    }
    const key = `${use.source}\0${use.config_id ?? ''}\0${regime}\0${modes[k] ?? ''}`;
    let route = routes.get(key);
    if (route === undefined) {
      route = { row, source: use.source, configId: use.config_id, regime, mode: modes[k] };
      routes.set(key, route);
    }
    const useKey = `${use.source}\0${use.config_id ?? ''}\0${regime}\0${use.reason}`;
    const c = counts.get(useKey);
    if (c === undefined) counts.set(useKey, { use, n: 1 });
    else c.n++;
    return route;
  };
  return { ctx, routeAt, uses: () => [...counts.values()].map((c) => ({ ...c.use, decisions: c.n })) };
}

/** The last day of the data an entry was chosen and gated on; null for entries stored without windows. */
function lastDayOf(row: StrategyConfigRow): string | null {
  const w = JSON.parse(row.window_json) as { holdout?: [string, string]; search?: [string, string] };
  return w.holdout?.[1] ?? w.search?.[1] ?? null;
}

/** Bars of the panel after `day`, up to and including bar t, counted up to `limit` + 1. */
function barsSince(panel: Panel, t: number, day: string, limit: number): number {
  let n = 0;
  for (let s = t; s >= 0 && n <= limit && dayOf(panel.time[s]) > day; s--) n++;
  return n;
}
