/**
 * Load market data by file path, dispatching on extension. Other sources (e.g. SQLite) build
 * their series with `validateTable` and finish with `marketDataFromSeries`.
 */
import { extname } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { readArrow } from './arrow.js';
import { readCsv } from './csv.js';
import { hashMarketData } from './hash.js';
import type { MarketData, OhlcvSeries } from './types.js';
import type { ReadOptions } from './validate.js';

const READERS: Readonly<Record<string, (path: string, opts: ReadOptions) => OhlcvSeries[]>> = {
  '.csv': readCsv,
  '.arrow': readArrow,
  '.feather': readArrow,
  '.ipc': readArrow,
};

/**
 * Read, validate and concatenate the tickers of one or more files (.csv, .arrow, .feather, .ipc).
 * @param opts.ticker ticker for files without a ticker column (default: each file's base name)
 */
export function loadMarketData(paths: readonly string[], opts: ReadOptions = {}): MarketData {
  if (paths.length === 0) throw new UsageError('no data file given');
  const fileOf = new Map<string, string>();
  const series: OhlcvSeries[] = [];
  for (const path of paths) {
    const ext = extname(path).toLowerCase();
    const read = READERS[ext];
    if (read === undefined) {
      throw new UsageError(`${path}: unsupported data file extension '${ext}'; expected one of ${Object.keys(READERS).join(', ')}`);
    }
    for (const s of read(path, opts)) {
      const other = fileOf.get(s.ticker);
      if (other !== undefined) throw new InputError(`ticker '${s.ticker}' appears in both ${other} and ${path}`);
      fileOf.set(s.ticker, path);
      series.push(s);
    }
  }
  return marketDataFromSeries(paths, series);
}

/** Bundle validated series with their sources and content hash; tickers must be unique. */
export function marketDataFromSeries(sources: readonly string[], series: readonly OhlcvSeries[]): MarketData {
  const seen = new Set<string>();
  for (const s of series) {
    if (seen.has(s.ticker)) throw new InputError(`ticker '${s.ticker}' appears twice in ${sources.join(', ')}`);
    seen.add(s.ticker);
  }
  return { sources: [...sources], series: [...series], hash: hashMarketData(series) };
}
