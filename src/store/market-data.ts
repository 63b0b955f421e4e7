/** Read market data back out of the `ohlcv` table, into the same shared columns as a file load. */
import { InputError } from '../errors.js';
import { marketDataFromSeries } from '../data/load.js';
import { sharedFloat64 } from '../data/shared.js';
import type { MarketData, OhlcvSeries } from '../data/types.js';
import type { DatabaseManager } from './database.js';

/** Every stored ticker (or the given ones), bars in time order. */
export function loadMarketDataFromDb(dbm: DatabaseManager, tickers?: readonly string[]): MarketData {
  const all = (dbm.db.prepare('SELECT DISTINCT ticker FROM ohlcv ORDER BY ticker').all() as { ticker: string }[]).map((r) => r.ticker);
  const chosen = tickers ?? all;
  const missing = chosen.filter((t) => !all.includes(t));
  if (missing.length > 0) throw new InputError(`${dbm.path}: no bars stored for ticker(s) ${missing.join(', ')}`);
  if (chosen.length === 0) throw new InputError(`${dbm.path}: the ohlcv table is empty; run pnlopt ingest first`);
  const count = dbm.db.prepare('SELECT COUNT(*) AS n FROM ohlcv WHERE ticker = ?');
  const rows = dbm.db.prepare('SELECT ts, open, high, low, close, volume FROM ohlcv WHERE ticker = ? ORDER BY ts').raw();
  const series: OhlcvSeries[] = chosen.map((ticker) => {
    const n = (count.get(ticker) as { n: number }).n;
    const cols = [sharedFloat64(n), sharedFloat64(n), sharedFloat64(n), sharedFloat64(n), sharedFloat64(n), sharedFloat64(n)] as const;
    let i = 0;
    for (const r of rows.iterate(ticker) as Iterable<number[]>) {
      for (let c = 0; c < 6; c++) cols[c][i] = r[c];
      i++;
    }
    const [time, open, high, low, close, volume] = cols;
    return { ticker, n, time, open, high, low, close, volume };
  });
  return marketDataFromSeries([`db:${dbm.path}`], series);
}
