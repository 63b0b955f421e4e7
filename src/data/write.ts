/**
 * Writers for market data, through the one output writer (src/output.ts): a file is written as a
 * temporary file beside the target and renamed into place, so a reader never sees a half-written
 * file and a failure leaves nothing behind; `-`, devices, FIFOs and symlinks are handled as there.
 */
import { Dictionary, Int32, Table, TimestampMillisecond, Utf8, makeData, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { writeOutput } from '../output.js';
import type { MarketData } from './types.js';
import { formatTime } from './validate.js';

/**
 * Write CSV `date,open,high,low,close,volume` (plus `ticker` when there is more than one series),
 * series after series. Numbers print in JavaScript's shortest round-trip form, so reading the file
 * back gives the same bits; a single series' ticker is not stored (pass it back as `ticker`).
 * `flag` names the option `path` came from, for error messages.
 */
export function writeCsv(data: MarketData, path: string, flag = '--out'): void {
  const withTicker = data.series.length > 1;
  const lines = [withTicker ? 'date,open,high,low,close,volume,ticker' : 'date,open,high,low,close,volume'];
  for (const s of data.series) {
    const suffix = withTicker ? `,${s.ticker}` : '';
    for (let i = 0; i < s.n; i++) {
      lines.push(`${formatTime(s.time[i])},${s.open[i]},${s.high[i]},${s.low[i]},${s.close[i]},${s.volume[i]}${suffix}`);
    }
  }
  lines.push('');
  writeOutput(path, lines.join('\n'), flag);
}

/**
 * Write an Arrow IPC file: `date` as Timestamp(ms, UTC), prices and volume as Float64, `ticker` as
 * a dictionary-encoded utf8 column (always present, so the tickers survive the round trip).
 */
export function writeArrow(data: MarketData, path: string, flag = '--out'): void {
  const total = data.series.reduce((m, s) => m + s.n, 0);
  const time = new BigInt64Array(total);
  const cols = [new Float64Array(total), new Float64Array(total), new Float64Array(total), new Float64Array(total), new Float64Array(total)];
  const tickerId = new Int32Array(total);
  let at = 0;
  data.series.forEach((s, k) => {
    for (let i = 0; i < s.n; i++) time[at + i] = BigInt(s.time[i]);
    [s.open, s.high, s.low, s.close, s.volume].forEach((src, c) => cols[c].set(src.subarray(0, s.n), at));
    tickerId.fill(k, at, at + s.n);
    at += s.n;
  });
  const tickers = vectorFromArray(data.series.map((s) => s.ticker), new Utf8());
  const [open, high, low, close, volume] = cols.map((c) => makeVector(c));
  const table = new Table({
    date: makeVector(makeData({ type: new TimestampMillisecond('UTC'), length: total, data: time })),
    open,
    high,
    low,
    close,
    volume,
    ticker: makeVector(makeData({ type: new Dictionary(new Utf8(), new Int32()), length: total, data: tickerId, dictionary: tickers })),
  });
  writeOutput(path, tableToIPC(table, 'file'), flag);
}
