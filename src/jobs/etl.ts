/**
 * ETL (`pnlopt etl`; the seed's ETL entry point): the bars of the chosen tickers in a window
 * ingested into the store with their data-quality snapshots (src/store/ingest.ts), then every
 * ticker's regime labels and the drift rows of the window (src/jobs/regime.ts), in one transaction.
 *
 * The window is [start, end], both days included, on each ticker's own bars. `end` (default: the
 * data's last bar) bounds everything: no bar after it is read. `start` (default: the first bar)
 * bounds what is stored and reported: the OHLCV rows, the quality snapshots (of the stored bars),
 * the drift rows whose split falls in the window, and the regime segments (clipped to it). The bars
 * before `start` are still read, as history: a label at t reads the bars up to t (the `regimes.*`
 * lookbacks, the GARCH refits), so the window's labels are those of the whole data up to `end`, as
 * `pnlopt regime` gives them, not those of a series cut at `start`, whose first bars have no label.
 */
import type { PnloptConfig } from '../config/load.js';
import { parseIsoDate } from '../config/dates.js';
import { hashMarketData } from '../data/hash.js';
import type { MarketData, OhlcvSeries } from '../data/types.js';
import { formatTime } from '../data/validate.js';
import { UsageError } from '../errors.js';
import { storeOf, type StoreSource } from '../store/database.js';
import { writeDriftMetrics } from '../store/drift-metrics.js';
import { ingestMarketData, type IngestSummary } from '../store/ingest.js';
import { detectAllRegimes, tickerReport, type RegimeReport, type TickerRegimes } from './regime.js';

/** How the caller names the window in messages: the flags, or the environment variables the values came from. */
export interface WindowNames {
  readonly tickers: string;
  readonly start: string;
  readonly end: string;
}

export const WINDOW_FLAGS: WindowNames = { tickers: '--tickers', start: '--start', end: '--end' };

/** The tickers and the days an entry point works on. */
export interface WindowRequest {
  /** Default: every ticker of the data. */
  readonly tickers?: readonly string[] | undefined;
  /** First and last day, `YYYY-MM-DD`, both included. */
  readonly start?: string | undefined;
  readonly end?: string | undefined;
  /** Default `WINDOW_FLAGS`. */
  readonly names?: WindowNames | undefined;
}

export interface EtlRequest extends WindowRequest {
  readonly cfg: PnloptConfig;
  readonly data: MarketData;
  /** Opened once every input is checked and the regimes are labelled. */
  readonly dbm: StoreSource;
  readonly now?: Date;
}

export interface EtlSummary {
  readonly ingest: IngestSummary;
  /** Segments clipped to the window. */
  readonly regimes: RegimeReport;
  /** Rows written to `split_drift_metrics` (splits in the window). */
  readonly drift_rows: number;
}

/** The day of a bar. */
export const dayOf = (ms: number): string => formatTime(ms).slice(0, 10);

/** Index of the first bar of `time` on or after `day` (`time.length` when none). */
export function firstBarFrom(time: Float64Array, day: string): number {
  let t = 0;
  while (t < time.length && dayOf(time[t]) < day) t++;
  return t;
}

/** Bars of `time` on or before `day`: the end of a range that includes it. */
export function barsThrough(time: Float64Array, day: string): number {
  let t = 0;
  while (t < time.length && dayOf(time[t]) <= day) t++;
  return t;
}

/**
 * The window's tickers checked against the data and its dates against each other (a `UsageError`
 * naming the flag or variable); the data's series of those tickers, in the order given.
 */
export function checkWindow(data: MarketData, w: WindowRequest): OhlcvSeries[] {
  const names = w.names ?? WINDOW_FLAGS;
  for (const [key, day] of [['start', w.start], ['end', w.end]] as const) {
    if (day !== undefined && parseIsoDate(day) === undefined) throw new UsageError(`${names[key]}: expected a date YYYY-MM-DD, got "${day}"`);
  }
  if (w.start !== undefined && w.end !== undefined && w.start > w.end) throw new UsageError(`${names.start} ${w.start} is after ${names.end} ${w.end}`);
  if (w.tickers === undefined) return [...data.series];
  if (w.tickers.length === 0) throw new UsageError(`${names.tickers}: expected at least one ticker`);
  return w.tickers.map((name) => {
    const s = data.series.find((x) => x.ticker === name);
    if (s === undefined) throw new UsageError(`${names.tickers}: ${name} is not in the data (tickers: ${data.series.map((x) => x.ticker).join(', ')})`);
    return s;
  });
}

/**
 * Bars [from, to) of the calendar `time` in the window: from the first bar on or after `start` (else
 * `defaultFrom`) to the last on or before `end` (else the last); a `UsageError` naming the flag or
 * variable when the window holds no bar.
 */
export function windowBars(time: Float64Array, w: WindowRequest, defaultFrom: number): { from: number; to: number } {
  const names = w.names ?? WINDOW_FLAGS;
  const [first, last] = [dayOf(time[0]), dayOf(time[time.length - 1])];
  if (w.start !== undefined && w.start > last) throw new UsageError(`${names.start} ${w.start} is after the data's last bar (${last})`);
  if (w.end !== undefined && w.end < first) throw new UsageError(`${names.end} ${w.end} is before the data's first bar (${first})`);
  const from = w.start === undefined ? defaultFrom : firstBarFrom(time, w.start);
  const to = w.end === undefined ? time.length : barsThrough(time, w.end);
  if (from >= to) throw new UsageError(`${names.end} ${w.end}: no bar of the data from ${dayOf(time[from])} to it`);
  return { from, to };
}

/** Bars [from, to) of one series. */
function sliceSeries(s: OhlcvSeries, from: number, to: number): OhlcvSeries {
  if (from === 0 && to === s.n) return s;
  const [time, open, high, low, close, volume] = [s.time, s.open, s.high, s.low, s.close, s.volume].map((c) => c.subarray(from, to));
  return { ticker: s.ticker, n: to - from, time, open, high, low, close, volume };
}

/** `series` as market data of `data`'s sources; `data` itself (its hash) when nothing was cut. */
function marketData(data: MarketData, series: readonly OhlcvSeries[]): MarketData {
  const same = series.length === data.series.length && series.every((s, k) => s === data.series[k]);
  return same ? data : { sources: data.sources, series, hash: hashMarketData(series) };
}

/** One ticker's regimes with the segments before bar `from` dropped and the first kept one clipped to it. */
function clipped(t: TickerRegimes, from: number): TickerRegimes {
  const segments = t.segments.filter((g) => g.end >= from).map((g) => (g.start >= from ? g : { ...g, start: from, bars: g.end - from + 1 }));
  return { ...t, segments };
}

/** Ingest the window's bars with quality snapshots, then label regimes and record the window's drift rows (see the header). */
export function runEtl(req: EtlRequest): EtlSummary {
  const names = req.names ?? WINDOW_FLAGS;
  const chosen = checkWindow(req.data, req);
  const bounds = chosen.map((s) => {
    const to = req.end === undefined ? s.n : barsThrough(s.time, req.end);
    const from = req.start === undefined ? 0 : firstBarFrom(s.time, req.start);
    if (from >= to) {
      const asked = `${req.start ?? dayOf(s.time[0])} .. ${req.end ?? dayOf(s.time[s.n - 1])} (${names.start} .. ${names.end})`;
      throw new UsageError(`${asked} holds no bar of ${s.ticker}, whose data runs ${dayOf(s.time[0])} .. ${dayOf(s.time[s.n - 1])}`);
    }
    return { from, to };
  });
  const history = marketData(req.data, chosen.map((s, k) => sliceSeries(s, 0, bounds[k].to)));
  const stored = marketData(req.data, chosen.map((s, k) => sliceSeries(s, bounds[k].from, bounds[k].to)));
  const regimes = detectAllRegimes(history, req.cfg);
  const drift = regimes.flatMap((t, k) => t.drift.filter((r) => r.splitTs >= t.time[bounds[k].from]));
  const dbm = storeOf(req.dbm);
  // One transaction: the bars, their snapshots and the drift rows are stored together or not at all.
  const { ingest, driftRows } = dbm.transaction(() => ({
    ingest: ingestMarketData(dbm, stored, req.cfg.runtime.data_quality.gap_multiple, 'upsert', req.now),
    driftRows: writeDriftMetrics(dbm, drift, req.now),
  }));
  return { ingest, regimes: { tickers: regimes.map((t, k) => tickerReport(clipped(t, bounds[k].from))) }, drift_rows: driftRows };
}
