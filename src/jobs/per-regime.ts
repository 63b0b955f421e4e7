/**
 * Per-regime optimization (`pnlopt optimize --per-regime`): one optimize run per regime of the data,
 * each on that regime's bars only, with its own search and hold-out windows and its own adoption
 * in the strategy cache under the regime key (docs/optimization.md "Per-regime optimization").
 *
 * The regimes are those of the panel's first ticker (`detectAllRegimes`; order a basket with
 * `--tickers`). A regime's bars are spliced into one series: its segments in time order, each
 * segment's prices scaled so that it opens where the previous one closed (volume as is). So a
 * position is carried across the bars of other regimes without gaining or losing on them, every
 * bar return of the spliced series is a bar return of the regime, and indicators read the regime's
 * own recent bars. Forecast columns are computed on the spliced series (causal within it).
 * A regime whose bars cannot hold the hold-out gate (`hold_out.min_bars`, the warm-up) is reported
 * and skipped.
 */
import { join } from 'node:path';
import { sharedFloat64 } from '../data/shared.js';
import { hashMarketData } from '../data/hash.js';
import type { MarketData, OhlcvSeries } from '../data/types.js';
import { UsageError } from '../errors.js';
import { detectAllRegimes, type TickerRegimes } from './regime.js';
import { runOptimization, type OptimizationRequest, type OptimizationSummary } from './optimize.js';
import { evaluationWindows } from './windows.js';

/** One regime's bars, spliced. */
export interface RegimeData {
  readonly key: string;
  readonly data: MarketData;
  readonly segments: number;
  readonly bars: number;
}

export interface PerRegimeResult {
  readonly regime: string;
  readonly bars: number;
  readonly segments: number;
  readonly status: 'optimized' | 'skipped';
  /** Why a regime was skipped; null when optimized. */
  readonly reason: string | null;
  readonly summary: OptimizationSummary | null;
}

export interface PerRegimeSummary {
  /** The ticker whose regimes chose the bars. */
  readonly ticker: string;
  readonly data_hash: string;
  /** The regime at the last bar. */
  readonly current_regime: string;
  /** `interrupted` when a regime's run was; the regimes after it are not run. */
  readonly status: 'completed' | 'interrupted' | 'failed';
  readonly regimes: readonly PerRegimeResult[];
}

/** The bars of `data` whose time the mask `keep` (over `reference`'s bars) selects, every ticker spliced as the header says. */
export function spliceBars(data: MarketData, reference: TickerRegimes, keep: (t: number) => boolean, key: string): RegimeData {
  const kept = new Set<number>();
  for (let t = 0; t < reference.time.length; t++) if (keep(t)) kept.add(reference.time[t]);
  let segments = 0;
  const series = data.series.map((s) => {
    const out = splice(s, (t) => kept.has(s.time[t]));
    if (s.ticker === reference.ticker) segments = out.segments;
    return out.series;
  });
  return { key, data: { sources: data.sources.map((src) => `${src} (regime ${key})`), series, hash: hashMarketData(series) }, segments, bars: kept.size };
}

/** A series' selected bars, each run of them scaled to open at the previous run's last close. */
function splice(s: OhlcvSeries, keep: (t: number) => boolean): { series: OhlcvSeries; segments: number } {
  let n = 0;
  for (let t = 0; t < s.n; t++) if (keep(t)) n++;
  const [time, open, high, low, close, volume] = Array.from({ length: 6 }, () => sharedFloat64(n));
  let k = 0;
  let segments = 0;
  let scale = 1;
  let inRun = false;
  for (let t = 0; t < s.n; t++) {
    if (!keep(t)) {
      inRun = false;
      continue;
    }
    if (!inRun) {
      segments++;
      if (k > 0) scale = close[k - 1] / s.open[t];
      inRun = true;
    }
    time[k] = s.time[t];
    open[k] = s.open[t] * scale;
    high[k] = s.high[t] * scale;
    low[k] = s.low[t] * scale;
    close[k] = s.close[t] * scale;
    volume[k] = s.volume[t];
    k++;
  }
  return { series: { ticker: s.ticker, n, time, open, high, low, close, volume }, segments };
}

/**
 * Run `req` once per regime of the data (or only `regimes`), each on its regime's bars.
 * @param regimes regime keys to run; default every regime the reference ticker visits
 */
export async function runPerRegime(req: OptimizationRequest, regimes?: readonly string[]): Promise<PerRegimeSummary> {
  const { cfg, data } = req;
  const tickerName = req.tickers?.[0] ?? data.series[0]?.ticker;
  const refSeries = data.series.filter((s) => s.ticker === tickerName);
  if (refSeries.length === 0) throw new UsageError(`--per-regime: no ticker ${tickerName} in the data`);
  const reference = detectAllRegimes({ ...data, series: refSeries }, cfg)[0];
  const visited = [...new Set(reference.segments.map((g) => g.regime))].sort();
  const wanted = regimes ?? visited;
  const results: PerRegimeResult[] = [];
  let status: PerRegimeSummary['status'] = 'completed';
  for (const key of wanted) {
    const index = reference.keys.findIndex((k) => k.key === key);
    if (index < 0) throw new UsageError(`regime ${key}: unknown regime key; the configured keys are ${reference.keys.map((k) => k.key).join(', ')}`);
    const part = spliceBars(data, reference, (t) => reference.labels[t] === index, key);
    const skip = (reason: string): void => void results.push({ regime: key, bars: part.bars, segments: part.segments, status: 'skipped', reason, summary: null });
    if (part.bars === 0) {
      skip(`${reference.ticker} has no bar in regime ${key}`);
      continue;
    }
    const ref = part.data.series.find((s) => s.ticker === reference.ticker)!;
    try {
      evaluationWindows(cfg, ref.time);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      skip(`too few bars for the hold-out gate: ${err.message}`);
      continue;
    }
    const summary = await runOptimization({
      ...req,
      data: part.data,
      // Each regime's summary.json in its own folder under a given --out.
      ...(req.outDir !== undefined ? { outDir: join(req.outDir, `regime-${key.replace(/[^A-Za-z0-9_.-]/g, '_')}`) } : {}),
      regime: { key, sourceHash: data.hash, ticker: reference.ticker, segments: part.segments, bars: part.bars },
    });
    results.push({ regime: key, bars: part.bars, segments: part.segments, status: 'optimized', reason: null, summary });
    if (summary.status !== 'completed') {
      status = summary.status;
      break;
    }
  }
  const last = reference.labels[reference.labels.length - 1];
  return { ticker: reference.ticker, data_hash: data.hash, current_regime: last < 0 ? '' : reference.keys[last].key, status, regimes: results };
}
