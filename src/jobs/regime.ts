/**
 * Regime detection, as `pnlopt regime` runs it and per-regime optimization will read it: for every
 * ticker, on its own bars, causal labels per bar (each reads bars up to t only), thresholds from
 * `config/regime_config.yml` (`regimes.*`, below):
 *
 * - volatility `low|normal|high`: the GARCH conditional volatility (the `garch` forecast column,
 *   rolling refits per `forecast_models.garch`: sqrt(h_{t+1}) given returns up to t; not the one
 *   whole-series `garchFitPositive` fit of `pnlopt fit`, whose parameters would carry later bars
 *   into every label) and the realised volatility (std of the last `volatility.lookback` log
 *   returns), each ranked against its own last `volatility.history` bars (`trailingRank`); the mean
 *   of the two ranks against `low_quantile` / `high_quantile`.
 * - trend `bull|bear|sideways`: ln(C_t / C_{t-lookback}) against `trend.bull_min_return` /
 *   `bear_max_return`.
 * - drift `stable|shift`: PSI of returns, PSI of absolute returns and the volatility ratio between
 *   the two consecutive `drift.window`-return windows ending at t, against their tolerances.
 * - volume `low|normal|high`: an EWMA of volume (span `volume.span`) ranked against its own history.
 *
 * The regime key joins the dimensions of `regimes.key` in order, e.g. `vol=high|trend=bear`; its
 * index is the mixed-radix code of the dimensions' labels (first dimension slowest), so that the
 * list of keys, and every key's index, is the same for every ticker and data set. The key is
 * smoothed by `regimes.min_duration` (`smoothLabels`): a bar has no label (-1) until one key has
 * held for that many bars, and every segment but the last lasts at least that long.
 *
 * Drift rows: at every split between consecutive, non-overlapping windows of `drift.window` returns
 * (returns 1..w, w+1..2w, ...), the drift of the later window against the earlier one goes to
 * `split_drift_metrics`, whatever dimensions form the key.
 *
 * The data-quality snapshots (`data_quality_snapshots`) are not read: they summarise a whole
 * ingested series, so a label built from them would see later bars; the volume label computes its
 * history causally from the bars instead.
 */
import type { PnloptConfig } from '../config/load.js';
import type { RegimeConfig, RegimeDimension } from '../config/regime.js';
import type { ForecastModelsConfig } from '../config/forecast-models.js';
import type { MarketData, OhlcvSeries } from '../data/types.js';
import { formatTime } from '../data/validate.js';
import { InputError } from '../errors.js';
import { canonicalJson, sha256 } from '../hashing.js';
import { storeOf, type StoreSource } from '../store/database.js';
import { writeDriftMetrics, type DriftRow } from '../store/drift-metrics.js';
import { computeForecastColumns, forecastColumn } from '../simulation/forecast-columns.js';
import { ewma } from '../../native-free-kernels/stats/ewma.js';
import {
  combineLabels,
  driftLabels,
  DriftLabel,
  driftMetrics,
  driftWorkspaceLength,
  labelSegments,
  levelLabels,
  LevelLabel,
  NO_LABEL,
  smoothLabels,
  trailingRank,
  trailingRankWorkspaceLength,
  trendLabels,
  TrendLabel,
} from '../../native-free-kernels/stats/regime-labels.js';
import { logReturns } from '../../native-free-kernels/stats/returns.js';
import { rollingStd } from '../../native-free-kernels/stats/rolling.js';

type Regimes = RegimeConfig['regimes'];
type GarchSettings = NonNullable<ForecastModelsConfig['garch']>;

/** Label names of a kernel's code table, at their codes: { Low: 0, High: 2 } -> ['low', , 'high']. */
function namesOf(codes: Readonly<Record<string, number>>): readonly string[] {
  const names: string[] = [];
  for (const [name, code] of Object.entries(codes)) names[code] = name.toLowerCase();
  return names;
}

/** Each dimension's label names, indexed by the kernels' codes. */
export const DIMENSION_LABELS: Readonly<Record<RegimeDimension, readonly string[]>> = {
  volatility: namesOf(LevelLabel),
  trend: namesOf(TrendLabel),
  drift: namesOf(DriftLabel),
  volume: namesOf(LevelLabel),
};

/** How a dimension is written in a regime key. */
const KEY_NAMES: Readonly<Record<RegimeDimension, string>> = { volatility: 'vol', trend: 'trend', drift: 'drift', volume: 'volume' };

/** One regime of the key: its text and its dimensions' labels. */
export interface RegimeKey {
  readonly key: string;
  readonly labels: Readonly<Partial<Record<RegimeDimension, string>>>;
}

/**
 * Every regime key the config can give, at its index (mixed radix over `regimes.key`, first
 * dimension slowest): the same list for every ticker.
 */
export function regimeKeys(regimes: Regimes): RegimeKey[] {
  let out: RegimeKey[] = [{ key: '', labels: {} }];
  for (const dim of regimes.key) {
    out = out.flatMap((k) =>
      DIMENSION_LABELS[dim].map((label) => ({
        key: k.key === '' ? `${KEY_NAMES[dim]}=${label}` : `${k.key}|${KEY_NAMES[dim]}=${label}`,
        labels: { ...k.labels, [dim]: label },
      })),
    );
  }
  return out;
}

/** A run of bars under one regime; `start` and `end` are bar indices, both included. */
export interface RegimeSegment {
  readonly start: number;
  readonly end: number;
  readonly regime: string;
  readonly labels: Readonly<Partial<Record<RegimeDimension, string>>>;
  readonly bars: number;
}

/** One ticker's regimes: what per-regime optimization reads. */
export interface TickerRegimes {
  readonly ticker: string;
  /** Bar times, epoch ms (the series' own). */
  readonly time: Float64Array;
  /** Regime index of every bar into `keys`, -1 before the first label. */
  readonly labels: Int32Array;
  readonly keys: readonly RegimeKey[];
  readonly segments: readonly RegimeSegment[];
  /** Drift at each window split (see the file header). */
  readonly drift: readonly DriftRow[];
}

/** The first bar each dimension can label, and which settings decide it (for the too-short message). */
function firstLabelledBar(dim: RegimeDimension, regimes: Regimes, garch: GarchSettings | undefined): { bar: number; why: string } {
  switch (dim) {
    case 'volatility': {
      const v = regimes.volatility;
      // GARCH's first value is at min_history − 1; realised vol's at lookback (returns 1..lookback).
      const from = Math.max(garchSettings(garch).min_history - 1, v.lookback);
      return { bar: from + v.min_history - 1, why: 'forecast_models.garch.min_history, regimes.volatility.lookback and min_history' };
    }
    case 'trend':
      return { bar: regimes.trend.lookback, why: 'regimes.trend.lookback' };
    case 'drift':
      return { bar: 2 * regimes.drift.window, why: 'two windows of regimes.drift.window returns' };
    case 'volume':
      return { bar: regimes.volume.min_history - 1, why: 'regimes.volume.min_history' };
  }
}

function garchSettings(garch: GarchSettings | undefined): GarchSettings {
  if (garch === undefined) {
    throw new InputError('regime detection of volatility reads the GARCH forecast column: the strategy config needs a forecast_models.garch block, or drop volatility from regimes.key');
  }
  return garch;
}

/**
 * Bars a series needs for its first regime label: the latest first bar of the key's dimensions,
 * plus `min_duration` bars for the label to persist.
 * @returns the count and the settings that decide it
 */
export function requiredBars(regimes: Regimes, garch: GarchSettings | undefined): { bars: number; why: string } {
  const firsts = regimes.key.map((dim) => firstLabelledBar(dim, regimes, garch));
  const latest = firsts.reduce((a, b) => (b.bar > a.bar ? b : a));
  return { bars: latest.bar + regimes.min_duration, why: `${latest.why}, then regimes.min_duration` };
}

/** Codes of one dimension for the series into `out` (length n). */
function dimensionCodes(dim: RegimeDimension, s: OhlcvSeries, r: Float64Array, regimes: Regimes, garch: GarchSettings | undefined, drift: DriftColumns, out: Int32Array): void {
  const n = s.n;
  switch (dim) {
    case 'volatility': {
      const v = regimes.volatility;
      const sigma = garchSigma(s, garchSettings(garch));
      const realised = new Float64Array(n);
      rollingStd(r, v.lookback, 1, realised, n); // lookback < n: requiredBars
      const ws = new Float64Array(trailingRankWorkspaceLength(n));
      const rankGarch = new Float64Array(n);
      const score = new Float64Array(n);
      trailingRank(sigma, v.history, v.min_history, ws, rankGarch, n);
      trailingRank(realised, v.history, v.min_history, ws, score, n);
      for (let t = 0; t < n; t++) score[t] = 0.5 * (rankGarch[t] + score[t]);
      return levelLabels(score, v.low_quantile, v.high_quantile, out, n);
    }
    case 'trend':
      return trendLabels(s.close, regimes.trend.lookback, regimes.trend.bull_min_return, regimes.trend.bear_max_return, out, n);
    case 'drift': {
      const d = regimes.drift;
      return driftLabels(drift.psi, drift.volPsi, drift.ratio, d.psi_threshold, d.vol_psi_threshold, d.volatility_ratio_max, out, n);
    }
    case 'volume': {
      const v = regimes.volume;
      const smooth = new Float64Array(n);
      ewma(s.volume, 2 / (v.span + 1), smooth, n);
      const rank = new Float64Array(n);
      trailingRank(smooth, v.history, v.min_history, new Float64Array(trailingRankWorkspaceLength(n)), rank, n);
      return levelLabels(rank, v.low_quantile, v.high_quantile, out, n);
    }
  }
}

/**
 * GARCH columns computed in this process, by closes and settings: one command asks for a series'
 * labels at several stages (etl, optimize per regime, paper, best; every trial of hyperopt), and the
 * rolling refits take seconds on twenty years of daily bars. The oldest entry goes first when full.
 */
const SIGMA_MEMO = new Map<string, Float64Array>();
const SIGMA_MEMO_ENTRIES = 16;

/** The series' GARCH forecast column: sigma[t] = sqrt(h_{t+1}) from returns up to t (NaN before min_history). Read-only: it may be shared. */
export function garchSigma(s: OhlcvSeries, garch: GarchSettings): Float64Array {
  const key = sha256(concatBytes(canonicalJson(garch), s.close.subarray(0, s.n)));
  let sigma = SIGMA_MEMO.get(key);
  if (sigma === undefined) {
    const panel = { tickers: [s.ticker], T: s.n, time: s.time, open: s.open, high: s.high, low: s.low, close: s.close, volume: s.volume };
    sigma = forecastColumn(computeForecastColumns(panel, { garch }), 'garch', 0).sigma;
    if (SIGMA_MEMO.size >= SIGMA_MEMO_ENTRIES) SIGMA_MEMO.delete(SIGMA_MEMO.keys().next().value!);
    SIGMA_MEMO.set(key, sigma);
  }
  return sigma;
}

/** The UTF-8 bytes of `text`, then the bytes of `values`. */
function concatBytes(text: string, values: Float64Array): Uint8Array {
  const head = Buffer.from(text, 'utf8');
  return Buffer.concat([head, new Uint8Array(values.buffer, values.byteOffset, values.byteLength)]);
}

interface DriftColumns {
  readonly psi: Float64Array;
  readonly volPsi: Float64Array;
  readonly ratio: Float64Array;
}

/**
 * Detect the regimes of one series.
 * @param s the series
 * @param regimes `regimes` of the regime config
 * @param garch `forecast_models.garch` (needed when volatility is in the key)
 * @param source where the series came from, for the too-short message
 * @throws InputError when the series is too short for a first label, or no bar could be labelled
 */
export function detectRegimes(s: OhlcvSeries, regimes: Regimes, garch: GarchSettings | undefined, source: string): TickerRegimes {
  const n = s.n;
  const need = requiredBars(regimes, garch);
  if (n < need.bars) {
    throw new InputError(`${source} ticker ${s.ticker}: ${n} bars; regime detection needs at least ${need.bars} (${need.why})`);
  }
  const r = new Float64Array(n);
  logReturns(s.close, r, n);
  const d = regimes.drift;
  const drift: DriftColumns = { psi: new Float64Array(n), volPsi: new Float64Array(n), ratio: new Float64Array(n) };
  driftMetrics(r, d.window, d.psi_bins, d.psi_eps, new Float64Array(driftWorkspaceLength(n, d.window, d.psi_bins)), drift.psi, drift.volPsi, drift.ratio, n);

  const D = regimes.key.length;
  const codes = new Int32Array(D * n);
  regimes.key.forEach((dim, i) => dimensionCodes(dim, s, r, regimes, garch, drift, codes.subarray(i * n, (i + 1) * n)));
  const raw = new Int32Array(n);
  combineLabels(codes, n, Int32Array.from(regimes.key, (dim) => DIMENSION_LABELS[dim].length), raw, n);
  const labels = new Int32Array(n);
  smoothLabels(raw, regimes.min_duration, labels, n);

  const keys = regimeKeys(regimes);
  const [starts, ends, ids] = [new Int32Array(n), new Int32Array(n), new Int32Array(n)];
  const count = labelSegments(labels, starts, ends, ids, n);
  if (count === 0) {
    const why = raw.some((k) => k !== NO_LABEL)
      ? `no regime has held for regimes.min_duration = ${regimes.min_duration} bars yet; a longer series is needed`
      : 'an indicator stayed undefined, e.g. every GARCH fit failed on a constant or non-finite series';
    throw new InputError(`${source} ticker ${s.ticker}: ${n} bars, none labelled: ${why}`);
  }
  const segments = Array.from({ length: count }, (_, i): RegimeSegment => {
    const k = keys[ids[i]];
    return { start: starts[i], end: ends[i], regime: k.key, labels: k.labels, bars: ends[i] - starts[i] + 1 };
  });

  const rows: DriftRow[] = [];
  for (let t = 2 * d.window; t < n; t += d.window) {
    if (Number.isNaN(drift.psi[t])) continue;
    rows.push({ ticker: s.ticker, splitTs: s.time[t - d.window + 1], psi: drift.psi[t], volPsi: drift.volPsi[t], volatilityRatio: drift.ratio[t] });
  }
  return { ticker: s.ticker, time: s.time, labels, keys, segments, drift: rows };
}

/** Every ticker's regimes, in the data's ticker order. */
export function detectAllRegimes(data: MarketData, cfg: PnloptConfig): TickerRegimes[] {
  const source = data.sources.join(', ');
  return data.series.map((s) => detectRegimes(s, cfg.regime.regimes, cfg.strategy.forecast_models.garch, source));
}

/** A segment as printed: ISO dates of its first and last bars. */
export interface SegmentReport {
  readonly start: string;
  readonly end: string;
  readonly regime: string;
  readonly labels: Readonly<Partial<Record<RegimeDimension, string>>>;
  readonly bars: number;
}

export interface TickerRegimeReport {
  readonly ticker: string;
  readonly current: { readonly regime: string; readonly labels: Readonly<Partial<Record<RegimeDimension, string>>>; readonly since: string };
  readonly segments: readonly SegmentReport[];
}

export interface RegimeReport {
  readonly tickers: readonly TickerRegimeReport[];
}

/** The printed form of one ticker's regimes. */
export function tickerReport(t: TickerRegimes): TickerRegimeReport {
  const segments = t.segments.map((g): SegmentReport => ({ start: formatTime(t.time[g.start]), end: formatTime(t.time[g.end]), regime: g.regime, labels: g.labels, bars: g.bars }));
  const last = segments[segments.length - 1];
  return { ticker: t.ticker, current: { regime: last.regime, labels: last.labels, since: last.start }, segments };
}

export interface RegimeRun {
  readonly report: RegimeReport;
  /** Rows written to `split_drift_metrics`. */
  readonly driftRows: number;
}

/**
 * Detect every ticker's regimes, then record the drift rows in the store (opened only after every
 * ticker is labelled, so bad input writes nothing).
 */
export function runRegimeDetection(req: { readonly cfg: PnloptConfig; readonly data: MarketData; readonly dbm: StoreSource; readonly now?: Date }): RegimeRun {
  const all = detectAllRegimes(req.data, req.cfg);
  const driftRows = writeDriftMetrics(storeOf(req.dbm), all.flatMap((t) => t.drift), req.now);
  return { report: { tickers: all.map(tickerReport) }, driftRows };
}
