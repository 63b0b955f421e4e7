/**
 * Align several tickers on one calendar: the timestamps every chosen ticker has, ticker-major,
 * in shared memory.
 */
import { InputError, UsageError } from '../errors.js';
import { formatTime } from './validate.js';
import { sharedFloat64 } from './shared.js';
import type { MarketData, OhlcvSeries, Panel } from './types.js';

/**
 * Panel of `tickers` (default: every series, in data order) on the intersection of their
 * timestamps; bar t of ticker k sits at index k * T + t.
 */
export function alignPanel(data: MarketData, tickers?: readonly string[]): Panel {
  const chosen = (tickers ?? data.series.map((s) => s.ticker)).map((name) => pick(data, name));
  if (chosen.length === 0) throw new UsageError('no ticker chosen for the panel');
  if (new Set(chosen).size !== chosen.length) throw new UsageError(`a ticker is listed twice: ${tickers!.join(', ')}`);

  // Timestamps strictly increase within each series, so a merge walk intersects them.
  let common: Float64Array = chosen[0].time.subarray(0, chosen[0].n);
  for (const s of chosen.slice(1)) common = intersect(common, s.time, s.n);
  const T = common.length;
  if (T === 0) {
    const spans = chosen.map((s) => `${s.ticker} ${s.n === 0 ? '(no bars)' : `${formatTime(s.time[0])}..${formatTime(s.time[s.n - 1])}`}`);
    throw new InputError(`tickers share no timestamp: ${spans.join(', ')}`);
  }

  const K = chosen.length;
  const time = sharedFloat64(T);
  time.set(common);
  const cols = [sharedFloat64(K * T), sharedFloat64(K * T), sharedFloat64(K * T), sharedFloat64(K * T), sharedFloat64(K * T)];
  chosen.forEach((s, k) => {
    const src = [s.open, s.high, s.low, s.close, s.volume];
    for (let i = 0, t = 0; t < T; i++) {
      if (s.time[i] !== common[t]) continue;
      for (let c = 0; c < cols.length; c++) cols[c][k * T + t] = src[c][i];
      t++;
    }
  });
  const [open, high, low, close, volume] = cols;
  return { tickers: chosen.map((s) => s.ticker), T, time, open, high, low, close, volume };
}

function pick(data: MarketData, name: string): OhlcvSeries {
  const s = data.series.find((x) => x.ticker === name);
  if (s === undefined) throw new UsageError(`unknown ticker '${name}'; the data has ${data.series.map((x) => x.ticker).join(', ')}`);
  return s;
}

/** Sorted values of `a` that also occur in the first `n` of `b`; both strictly increasing. */
function intersect(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(Math.min(a.length, n));
  let m = 0;
  for (let i = 0, j = 0; i < a.length && j < n; ) {
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else {
      out[m++] = a[i];
      i++;
      j++;
    }
  }
  return out.subarray(0, m);
}
