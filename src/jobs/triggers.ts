/**
 * Re-optimization triggers (`pnlopt check-triggers`; the seed's "Regime detection and triggers"):
 * which re-optimizations are due and why, each recorded as a pending request in
 * `reoptimization_requests` (one pending per family, regime and trigger) with what fired it.
 *
 * - `regime_change`: a ticker's regime at its last bar differs from the one the previous check saw
 *   (`regime_observations`); the first check of a ticker only records what it sees. Data ending
 *   before the observed last bar is older than what was checked: it fires nothing and changes nothing.
 * - `drift`: the ticker's latest drift row (`TickerRegimes.drift`), if the check has not seen its
 *   split before, is a shift by `regimes.drift` of regime_config.yml (PSI of returns, PSI of
 *   absolute returns, volatility ratio; the `driftLabels` rule).
 * - `no_entry`, `stale`, `performance`: what `bestConfigurations` finds for the current regime of
 *   the panel's first ticker (it records them).
 *
 * A ticker's triggers are for every family the panel is checked for (those `bestConfigurations`
 * answers for), under the ticker's current regime. `runPending` carries the pending requests out
 * through the optimize job, one run per family and regime.
 */
import { DriftLabel, driftLabels } from '../../native-free-kernels/stats/regime-labels.js';
import type { PnloptConfig } from '../config/load.js';
import { paramLayout } from '../config/param-layout.js';
import { alignPanel } from '../data/panel.js';
import type { MarketData } from '../data/types.js';
import { formatTime } from '../data/validate.js';
import type { PoolSettings } from '../pool/coordinator.js';
import { familyModule } from '../simulation/families/index.js';
import { storeOf, type StoreSource } from '../store/database.js';
import type { DriftRow } from '../store/drift-metrics.js';
import { RegimeObservations } from '../store/regime-observations.js';
import { StrategyCache, type ReoptimizationRequest, type ReoptimizationRow, type Trigger } from '../store/strategy-cache.js';
import { bestConfigurations } from './best.js';
import type { ForecastProgress } from './context.js';
import { ALL_REGIMES, runOptimization, type OptimizationRequest, type OptimizationSummary } from './optimize.js';
import { runPerRegime } from './per-regime.js';
import { detectAllRegimes, regimeKeys, tickerReport, type TickerRegimes } from './regime.js';

/** The triggers `bestConfigurations` records. */
const CACHE_TRIGGERS: ReadonlySet<Trigger> = new Set<Trigger>(['no_entry', 'stale', 'performance']);
/** Significant digits of the values a reason quotes (details keep them whole). */
const REASON_DIGITS = 4;

export interface TriggerRequest {
  readonly cfg: PnloptConfig;
  readonly data: MarketData;
  readonly tickers?: readonly string[] | undefined;
  /** Families to check; default every configured family that can trade the panel. */
  readonly families?: readonly string[] | undefined;
  readonly dbm: StoreSource;
  readonly now?: Date;
}

/** A re-optimization found due by this check. */
export interface DueTrigger {
  readonly family: string;
  readonly regime: string;
  readonly trigger: Trigger;
  readonly reason: string;
  /** What fired it: values and thresholds. */
  readonly details: Record<string, unknown>;
  readonly ticker: string | null;
  /** False when a request of the family, regime and trigger was already pending. */
  readonly recorded: boolean;
}

export interface TriggerCheck {
  readonly due: readonly DueTrigger[];
  /** Requests pending after the check, earlier checks' included. */
  readonly pending: number;
}

/**
 * Check every trigger on the data at hand and record the due re-optimizations. Every ticker is
 * labelled before the store is opened, so bad input records nothing.
 */
export async function checkTriggers(req: TriggerRequest): Promise<TriggerCheck> {
  const { cfg, data } = req;
  const panel = alignPanel(data, req.tickers);
  const regimes = detectAllRegimes({ ...data, series: panel.tickers.map((t) => data.series.find((s) => s.ticker === t)!) }, cfg);
  const now = req.now ?? new Date();
  const dbm = storeOf(req.dbm);
  const cache = new StrategyCache(dbm);
  const answers = await bestConfigurations({ cfg, data, tickers: panel.tickers, families: req.families, regime: tickerReport(regimes[0]).current.regime, dbm, now });
  const due: DueTrigger[] = [];
  const pendingNow = cache.pending();
  for (const a of answers) {
    if (a.source === 'cache') continue;
    // A request it found already pending (requested null) fired before: report that one.
    const rows = pendingNow.filter((r) => r.family === a.family && r.regime === a.regime && (a.requested === null ? CACHE_TRIGGERS.has(r.trigger) : r.trigger === a.requested));
    due.push(...rows.map((r) => fromRow(r, a.requested !== null)));
  }
  const families = answers.map((a) => a.family);
  const observations = new RegimeObservations(dbm);
  for (const t of regimes) {
    for (const r of tickerTriggers(cfg, t, observations, data.hash, now)) {
      for (const family of families) {
        const request: ReoptimizationRequest = { ...r, family };
        due.push({ ...request, recorded: cache.request(request, now) });
      }
    }
  }
  return { due, pending: cache.pending().length };
}

function fromRow(r: ReoptimizationRow, recorded: boolean): DueTrigger {
  return { family: r.family, regime: r.regime, trigger: r.trigger, reason: r.reason, details: JSON.parse(r.details_json) as Record<string, unknown>, ticker: r.ticker, recorded };
}

/** The ticker's regime-change and drift triggers (without a family), its observation updated. */
function tickerTriggers(cfg: PnloptConfig, t: TickerRegimes, observations: RegimeObservations, dataHash: string, now: Date): Omit<ReoptimizationRequest, 'family'>[] {
  const { regime, since } = tickerReport(t).current;
  const lastBar = formatTime(t.time[t.time.length - 1]);
  const seen = observations.get(t.ticker);
  if (seen !== undefined && Date.parse(lastBar) < Date.parse(seen.last_bar)) return [];
  const latest = t.drift.at(-1);
  const out: Omit<ReoptimizationRequest, 'family'>[] = [];
  if (seen !== undefined && seen.regime !== regime) {
    out.push({
      regime, ticker: t.ticker, trigger: 'regime_change',
      reason: `${t.ticker}'s regime changed from ${seen.regime} (since ${seen.since}, seen up to ${seen.last_bar}) to ${regime} (since ${since})`,
      details: { previous: { regime: seen.regime, since: seen.since, last_bar: seen.last_bar }, current: { regime, since, last_bar: lastBar } },
    });
  }
  const seenSplit = seen?.drift_split ?? null;
  if (latest !== undefined && (seenSplit === null || latest.splitTs > Date.parse(seenSplit)) && isShift(cfg, latest)) {
    out.push({ regime, ticker: t.ticker, trigger: 'drift', ...driftReason(cfg, latest) });
  }
  observations.put({ ticker: t.ticker, regime, since, last_bar: lastBar, drift_split: latest === undefined ? seenSplit : formatTime(latest.splitTs), data_hash: dataHash }, now);
  return out;
}

/** Whether a drift row is a shift by `regimes.drift`, as the drift label decides it. */
function isShift(cfg: PnloptConfig, row: DriftRow): boolean {
  const d = cfg.regime.regimes.drift;
  const label = new Int32Array(1);
  driftLabels(Float64Array.of(row.psi), Float64Array.of(row.volPsi), Float64Array.of(row.volatilityRatio), d.psi_threshold, d.vol_psi_threshold, d.volatility_ratio_max, label, 1);
  return label[0] === DriftLabel.Shift;
}

function driftReason(cfg: PnloptConfig, row: DriftRow): { reason: string; details: Record<string, unknown> } {
  const d = cfg.regime.regimes.drift;
  const v = (x: number): number => Number(x.toPrecision(REASON_DIGITS));
  const split = formatTime(row.splitTs);
  return {
    reason:
      `${row.ticker}'s returns drifted across the split at ${split} (regime_config.yml regimes.drift): PSI ${v(row.psi)} (psi_threshold ${d.psi_threshold}), ` +
      `PSI of absolute returns ${v(row.volPsi)} (vol_psi_threshold ${d.vol_psi_threshold}), volatility ratio ${v(row.volatilityRatio)} (tolerated within 1/${d.volatility_ratio_max} .. ${d.volatility_ratio_max})`,
    details: {
      split, window: d.window, psi: row.psi, vol_psi: row.volPsi, volatility_ratio: row.volatilityRatio,
      psi_threshold: d.psi_threshold, vol_psi_threshold: d.vol_psi_threshold, volatility_ratio_max: d.volatility_ratio_max,
    },
  };
}

export interface RunPendingRequest {
  readonly cfg: PnloptConfig;
  readonly data: MarketData;
  /** The panel the runs trade (default every ticker); a request's ticker goes first, alone for a one-ticker family. */
  readonly tickers?: readonly string[] | undefined;
  /** Families whose requests to carry out; default every family's. */
  readonly families?: readonly string[] | undefined;
  readonly dbm: StoreSource;
  readonly pool: PoolSettings;
  readonly signal?: AbortSignal;
  /** Called as each run opens. */
  readonly onStart?: (family: string, regime: string, runId: string) => void;
  readonly onForecasts?: (p: ForecastProgress) => void;
}

/** One family and regime's pending requests, carried out or not. */
export interface PendingRun {
  readonly family: string;
  readonly regime: string;
  readonly ticker: string | null;
  readonly triggers: readonly Trigger[];
  /** `done`: the run completed and the requests were marked done; `skipped`: not run, still pending. */
  readonly status: 'done' | 'skipped' | 'interrupted' | 'failed';
  readonly run_id: string | null;
  readonly adopted: boolean | null;
  /** Why skipped, else the run's adoption reason. */
  readonly reason: string;
  /** Requests marked done. */
  readonly marked: number;
}

/**
 * Carry out every pending request, one optimize run per family and regime (the config's default
 * optimizer, budget and seed): `runPerRegime` on that regime's bars, or `runOptimization` for `all`.
 * A completed run marks the family and regime's requests done with its run id, adopted or not; an
 * interrupted or failed run stops the rest.
 */
export async function runPending(req: RunPendingRequest): Promise<PendingRun[]> {
  const { cfg, data } = req;
  const panel = alignPanel(data, req.tickers);
  const dbm = storeOf(req.dbm);
  const cache = new StrategyCache(dbm);
  const groups = new Map<string, ReoptimizationRow[]>();
  for (const r of cache.pending()) {
    if (req.families !== undefined && !req.families.includes(r.family)) continue;
    const key = JSON.stringify([r.family, r.regime]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const { optimizer, budget, seed } = cfg.strategy.optimizer.defaults;
  const out: PendingRun[] = [];
  for (const rows of groups.values()) {
    const { family, regime } = rows[0];
    const ticker = rows.find((r) => r.ticker !== null)?.ticker ?? panel.tickers[0];
    const base = { family, regime, ticker, triggers: [...new Set(rows.map((r) => r.trigger))] };
    const skip = (reason: string): void => void out.push({ ...base, status: 'skipped', run_id: null, adopted: null, reason, marked: 0 });
    if (cfg.strategy.families[family] === undefined) {
      skip(`family ${family} is not configured`);
      continue;
    }
    if (regime !== ALL_REGIMES && !regimeKeys(cfg.regime.regimes).some((k) => k.key === regime)) {
      skip(`regime ${regime} is not a regime key of regime_config.yml regimes.key`);
      continue;
    }
    if (!panel.tickers.includes(ticker)) {
      skip(`ticker ${ticker} of the request is not in the data`);
      continue;
    }
    const tickers = familyModule(paramLayout(cfg, family, panel.tickers)).oneTicker ? [ticker] : [ticker, ...panel.tickers.filter((t) => t !== ticker)];
    const run: OptimizationRequest = {
      cfg, data, tickers, families: [family], optimizer, budget, maxSeconds: Infinity, seed, pool: req.pool, dbm,
      ...(req.signal !== undefined ? { signal: req.signal } : {}),
      onStart: (runId) => req.onStart?.(family, regime, runId),
      ...(req.onForecasts !== undefined ? { onForecasts: req.onForecasts } : {}),
    };
    let summary: OptimizationSummary;
    if (regime === ALL_REGIMES) summary = await runOptimization(run);
    else {
      const r = (await runPerRegime(run, [regime])).regimes[0];
      if (r.summary === null) {
        skip(r.reason ?? `regime ${regime} was not run`);
        continue;
      }
      summary = r.summary;
    }
    if (summary.status !== 'completed') {
      out.push({ ...base, status: summary.status, run_id: summary.run_id, adopted: null, reason: `the run ended ${summary.status}; the requests stay pending`, marked: 0 });
      break;
    }
    const marked = cache.done(family, regime, summary.run_id);
    out.push({ ...base, status: 'done', run_id: summary.run_id, adopted: summary.adopted, reason: summary.adoption_reason, marked });
  }
  return out;
}
