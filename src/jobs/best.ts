/**
 * The best known configuration of a family for the current (or a given) regime, from the strategy
 * cache, with its lifecycle (`pnlopt best`; docs/optimization.md "The strategy cache"):
 *
 * - The cache entries of the family's current version (`familyVersion`: its search space and
 *   kernel code) and the regime; among them the newest on the data at hand (same data hash), else
 *   the newest.
 * - It is served unless it is stale, older than `cache.max_age_days` or chosen on data that ends
 *   more than `cache.max_data_lag_bars` bars before the data at hand, or failing: it misses a
 *   performance criterion of quant_success_config.yml (`recentFailures`) over its realized paper
 *   trades (`trade_executions` rows of the entry) when it has `min_total_trades` of them, else over
 *   the last `cache.recent_bars` bars of a backtest.
 * - Otherwise the family's `baseline` is served, `reason` says why, and a pending re-optimization
 *   is recorded for the family and regime (one per trigger).
 *
 * The regime `auto` is the current regime of the panel's first ticker (`detectAllRegimes`); a basket
 * is ordered with `--tickers`.
 */
import { Metric, METRIC_COUNT } from '../../native-free-kernels/portfolio/metrics.js';
import type { PnloptConfig } from '../config/load.js';
import { encodeNamedValues, paramLayout, type ParamLayout } from '../config/param-layout.js';
import { alignPanel } from '../data/panel.js';
import type { MarketData, Panel } from '../data/types.js';
import { formatTime } from '../data/validate.js';
import { UsageError } from '../errors.js';
import { displayPath } from '../paths.js';
import { metricRecord } from '../report/metrics.js';
import { guardrailChecks, guardrailGap } from '../search/guardrails.js';
import { familyModule, familyVersion } from '../simulation/families/index.js';
import { createEvaluator } from '../simulation/evaluator.js';
import { storeOf, type DatabaseManager, type StoreSource } from '../store/database.js';
import { realizedPerformance, type RealizedPerformance } from '../store/realized-trades.js';
import { StrategyCache, type StrategyConfigRow, type Trigger } from '../store/strategy-cache.js';
import { buildContext } from './context.js';
import { ALL_REGIMES } from './optimize.js';
import { realizedRow } from './realized.js';
import { detectAllRegimes, regimeKeys } from './regime.js';

const MS_PER_DAY = 86_400_000;

/** The performance criteria a served configuration must keep meeting (issue: win rate, profit factor, drawdown). */
const PERFORMANCE_KEYS = ['guardrails.min_win_rate', 'guardrails.min_profit_factor', 'guardrails.max_drawdown'] as const;
/** Criteria that say nothing without trades: judged only with `min_total_trades` trades or more. */
const PER_TRADE_KEYS: ReadonlySet<string> = new Set(['guardrails.min_win_rate', 'guardrails.min_profit_factor']);

export interface BestRequest {
  readonly cfg: PnloptConfig;
  readonly data: MarketData;
  readonly tickers?: readonly string[] | undefined;
  /** Families to answer for; default every configured family that can trade the data. */
  readonly families?: readonly string[] | undefined;
  /** `auto` (the current regime) or a regime key. */
  readonly regime: string;
  readonly dbm: StoreSource;
  readonly now?: Date;
}

/** One performance criterion missed over the recent window. */
export interface RecentFailure {
  readonly key: string;
  readonly metric: string;
  readonly value: number;
  readonly threshold: number;
}

export interface BestAnswer {
  readonly family: string;
  readonly regime: string;
  readonly source: 'cache' | 'baseline';
  readonly reason: string;
  readonly params: Record<string, number | string>;
  /** Metrics of the served configuration over the recent window (`cache.recent_bars`). */
  readonly metrics: Record<string, number>;
  readonly run_id: string | null;
  readonly age_days: number | null;
  /** The recent window's dates. */
  readonly recent: readonly [string, string];
  /** The cache entry considered, served or not, with its stored in-sample and hold-out metrics. */
  readonly entry: { readonly id: number; readonly data_hash: string; readonly window: unknown; readonly metrics: unknown; readonly holdout_metrics: unknown; readonly created_at: string } | null;
  /** The re-optimization this answer requested (null when it served the cache, or one was already pending). */
  readonly requested: Trigger | null;
  /** The entry's realized paper trades (null: no entry, or none closed); `judged` when there were enough to judge it on them. */
  readonly realized: (RealizedPerformance & { readonly judged: boolean }) | null;
}

/** The criteria of PERFORMANCE_KEYS that metric row F misses. */
export function recentFailures(cfg: PnloptConfig, F: Float64Array): RecentFailure[] {
  const trades = F[Metric.total_trades];
  const enough = trades >= cfg.quantSuccess.guardrails.min_total_trades;
  return guardrailChecks(cfg)
    .filter((c) => (PERFORMANCE_KEYS as readonly string[]).includes(c.key) && (enough || !PER_TRADE_KEYS.has(c.key)))
    .filter((c) => guardrailGap(c, F, 0) > 0)
    .map((c) => ({ key: c.key, metric: c.metric, value: F[Metric[c.metric]], threshold: c.threshold }));
}

/** Answer for each family. */
export async function bestConfigurations(req: BestRequest): Promise<BestAnswer[]> {
  const { cfg } = req;
  const panel = alignPanel(req.data, req.tickers);
  const regime = resolveRegime(cfg, req.data, panel, req.regime);
  const names = req.families ?? Object.keys(cfg.strategy.families);
  const dbm = storeOf(req.dbm);
  const cache = new StrategyCache(dbm);
  const now = req.now ?? new Date();
  const answers: BestAnswer[] = [];
  for (const family of names) {
    const layout = paramLayout(cfg, family, panel.tickers);
    if (req.families === undefined && !canTrade(layout, panel)) continue;
    answers.push(await answer(cfg, layout, panel, req.data.hash, regime, dbm, cache, now));
  }
  return answers;
}

/** `auto`: the current regime of the panel's first ticker; a key: checked against the configured regime keys. */
function resolveRegime(cfg: PnloptConfig, data: MarketData, panel: Panel, regime: string): string {
  const keys = regimeKeys(cfg.regime.regimes).map((k) => k.key);
  if (regime !== 'auto') {
    if (regime !== ALL_REGIMES && !keys.includes(regime)) {
      throw new UsageError(`--regime ${regime}: unknown regime key; the configured keys (regime_config.yml regimes.key) are ${keys.join(', ')}, or all, or auto`);
    }
    return regime;
  }
  const first = detectAllRegimes({ ...data, series: data.series.filter((s) => s.ticker === panel.tickers[0]) }, cfg)[0];
  const at = first.labels[first.labels.length - 1];
  if (at < 0) throw new UsageError(`--regime auto: ${first.ticker} has no regime label at its last bar`);
  return first.keys[at].key;
}

/** Whether the family's kernel can trade this panel (sma_cross trades one ticker). */
function canTrade(layout: ParamLayout, panel: Panel): boolean {
  return !familyModule(layout).oneTicker || panel.tickers.length === 1;
}

async function answer(cfg: PnloptConfig, layout: ParamLayout, panel: Panel, dataHash: string, regime: string, dbm: DatabaseManager, cache: StrategyCache, now: Date): Promise<BestAnswer> {
  const { max_age_days: maxAge, max_data_lag_bars: maxLag, recent_bars: recentBars } = cfg.strategy.cache;
  if (panel.T < recentBars) throw new UsageError(`the data has ${panel.T} bars; ${displayPath(cfg.files.strategy)}: cache.recent_bars needs ${recentBars} to judge a configuration on recent data`);
  const recent = { start: panel.T - recentBars, end: panel.T };
  const ctx = await buildContext(cfg, layout, panel, dataHash, { ...recent, feeBps: undefined });
  const evaluator = createEvaluator(layout, ctx);
  const recentDates = [formatTime(panel.time[recent.start]), formatTime(panel.time[recent.end - 1])] as const;
  const F = new Float64Array(METRIC_COUNT);
  const entries = cache.entriesFor(layout.family, familyVersion(layout), regime);
  const entry = entries.find((e) => e.data_hash === dataHash) ?? entries[0];
  let trigger: Trigger;
  let reason: string;
  let details: Record<string, unknown>;
  let realized: BestAnswer['realized'] = null;
  if (entry === undefined) {
    trigger = 'no_entry';
    reason = `no cached configuration of ${layout.family} (version ${familyVersion(layout)}) for regime ${regime}`;
    details = { family_version: familyVersion(layout) };
  } else {
    const ageDays = (now.getTime() - Date.parse(entry.created_at)) / MS_PER_DAY;
    const lag = barsAfter(panel.time, entryLastDate(entry));
    const params = JSON.parse(entry.params_json) as Record<string, number | string>;
    const row = encoded(layout, params, `strategy_configs row ${entry.id}`);
    evaluator.evaluate(row, 1, F);
    // Realized paper trades judge the entry once there are enough of them; the backtest otherwise.
    const paper = realizedPerformance(dbm, { configId: entry.id }, cfg.strategy.simulation.initial_capital);
    const judged = paper.total_trades >= cfg.quantSuccess.guardrails.min_total_trades;
    realized = paper.total_trades > 0 ? { ...paper, judged } : null;
    const failures = recentFailures(cfg, judged ? realizedRow(paper, cfg.strategy.simulation.initial_capital) : F);
    const judgedOn = judged
      ? `over its ${paper.total_trades} realized paper trades (sessions ${paper.sessions.join(', ')})`
      : `over the last ${recentBars} bars (${recentDates.join(' .. ')})`;
    const served = (why: string): BestAnswer => ({
      family: layout.family, regime, source: 'cache', reason: why, params, metrics: metricRecord(F), run_id: entry.run_id,
      age_days: ageDays, recent: recentDates, entry: entryReport(entry), requested: null, realized,
    });
    if (ageDays > maxAge) {
      trigger = 'stale';
      reason = `the cached configuration is ${ageDays.toFixed(1)} days old; cache.max_age_days is ${maxAge}`;
      details = { age_days: ageDays, max_age_days: maxAge, entry_id: entry.id };
    } else if (lag !== null && lag > maxLag) {
      trigger = 'stale';
      reason = `the cached configuration was chosen on data ending ${lag} bars before this data's last bar; cache.max_data_lag_bars is ${maxLag}`;
      details = { lag_bars: lag, max_data_lag_bars: maxLag, entry_id: entry.id };
    } else if (failures.length > 0) {
      trigger = 'performance';
      reason = `${judgedOn} the cached configuration misses ${failures.map((f) => `${f.key} (${f.metric} ${f.value}, threshold ${f.threshold})`).join(', ')}`;
      details = { failures, recent: recentDates, entry_id: entry.id, realized: judged ? paper : null };
    } else {
      return served(`cached by run ${entry.run_id}, ${ageDays.toFixed(1)} days old, meets the performance criteria ${judgedOn}`);
    }
  }
  const baseline = cfg.strategy.families[layout.family].baseline;
  if (baseline === undefined) {
    throw new UsageError(`${reason}, and ${displayPath(cfg.files.strategy)} has no families.${layout.family}.baseline to serve instead: add one, or run pnlopt optimize`);
  }
  evaluator.evaluate(encoded(layout, baseline, `families.${layout.family}.baseline`), 1, F);
  const requested = cache.request({ family: layout.family, regime, ticker: panel.tickers.length === 1 ? panel.tickers[0] : null, trigger, reason, details }, now);
  return {
    family: layout.family, regime, source: 'baseline', reason: `${reason}: serving the baseline (families.${layout.family}.baseline)`,
    params: { ...baseline }, metrics: metricRecord(F), run_id: null, age_days: null, recent: recentDates,
    entry: entry === undefined ? null : entryReport(entry), requested: requested ? trigger : null, realized,
  };
}


/** Named values (a baseline, a stored entry's parameters) as a row of the family's current space. */
export function encoded(layout: ParamLayout, params: Readonly<Record<string, number | string>>, where: string): Float64Array {
  const { row, problems } = encodeNamedValues(layout, new Map(Object.entries(params).map(([k, v]) => [k, String(v)])));
  if (problems.length > 0) throw new UsageError(`${where} does not fit family ${layout.family}'s space: ${problems.join('; ')}`);
  return row;
}

/** The last date of the entry's evaluation data (its hold-out end), or null for entries without windows. */
function entryLastDate(e: StrategyConfigRow): string | null {
  const w = JSON.parse(e.window_json) as { holdout?: [string, string] };
  return w.holdout?.[1] ?? null;
}

/** Bars of `time` after the day `date` (null: unknown). */
function barsAfter(time: Float64Array, date: string | null): number | null {
  if (date === null) return null;
  const end = Date.parse(`${date}T00:00:00Z`) + MS_PER_DAY;
  let n = 0;
  for (let t = time.length - 1; t >= 0 && time[t] >= end; t--) n++;
  return n;
}

function entryReport(e: StrategyConfigRow): NonNullable<BestAnswer['entry']> {
  return {
    id: e.id, data_hash: e.data_hash, window: JSON.parse(e.window_json) as unknown, metrics: JSON.parse(e.metrics_json) as unknown,
    holdout_metrics: e.holdout_metrics_json === null ? null : (JSON.parse(e.holdout_metrics_json) as unknown), created_at: e.created_at,
  };
}
