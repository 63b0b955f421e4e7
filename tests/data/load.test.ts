import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/errors.js';
import { hashMarketData } from '../../src/data/hash.js';
import { loadMarketData, marketDataFromSeries } from '../../src/data/load.js';
import { toShared } from '../../src/data/shared.js';
import type { MarketData, OhlcvSeries } from '../../src/data/types.js';
import { writeArrow, writeCsv } from '../../src/data/write.js';

const dir = mkdtempSync(join(tmpdir(), 'pnlopt-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SP500 = 'data/sp500_daily_ohlcv_2000_2020.csv';
const MSFT = 'data/msft_2000_2001_daily_ohlcv.csv';

function columnsOf(data: MarketData): unknown {
  return data.series.map((s) => ({
    ticker: s.ticker,
    n: s.n,
    columns: [s.time, s.open, s.high, s.low, s.close, s.volume].map((c) => Array.from(c.subarray(0, s.n))),
  }));
}

describe('loadMarketData', () => {
  it('concatenates the tickers of several files and hashes them', () => {
    const data = loadMarketData([SP500, MSFT]);
    expect(data.sources).toEqual([SP500, MSFT]);
    expect(data.series.map((s) => [s.ticker, s.n])).toEqual([
      ['sp500_daily_ohlcv_2000_2020', 5105],
      ['msft_2000_2001_daily_ohlcv', 249],
    ]);
    expect(data.hash).toBe(hashMarketData(data.series));
  });

  it('names both files when they hold the same ticker', () => {
    const copy = join(dir, 'copy.csv');
    copyFileSync(MSFT, copy);
    expect(() => loadMarketData([MSFT, copy], { ticker: 'MSFT' })).toThrow(
      new InputError(`ticker 'MSFT' appears in both ${MSFT} and ${copy}`),
    );
  });

  it('rejects an unknown extension and an empty list', () => {
    expect(() => loadMarketData(['prices.parquet'])).toThrow(UsageError);
    expect(() => loadMarketData(['prices.parquet'])).toThrow(/unsupported data file extension '\.parquet'; expected one of \.csv, \.arrow, \.feather, \.ipc/);
    expect(() => loadMarketData([])).toThrow(UsageError);
  });

  it('gives a file that does not exist an input error', () => {
    expect(() => loadMarketData([join(dir, 'nope.csv')])).toThrow(InputError);
  });
});

describe('marketDataFromSeries', () => {
  it('refuses a ticker twice', () => {
    const s: OhlcvSeries = { ticker: 'A', n: 0, time: toShared([]), open: toShared([]), high: toShared([]), low: toShared([]), close: toShared([]), volume: toShared([]) };
    expect(() => marketDataFromSeries(['db:x.db'], [s, s])).toThrow(new InputError("ticker 'A' appears twice in db:x.db"));
  });
});

/** Valid multi-ticker market data: prices > 0, high >= max(open, close) >= min(open, close) >= low, increasing times. */
const arbMarket = fc
  .uniqueArray(fc.constantFrom('AAA', 'BBB', 'C.X', 'd-1'), { minLength: 1, maxLength: 3 })
  .chain((tickers) =>
    fc.tuple(
      ...tickers.map((ticker) =>
        fc
          .array(
            fc.record({
              open: fc.double({ min: 1e-3, max: 1e7, noNaN: true }),
              close: fc.double({ min: 1e-3, max: 1e7, noNaN: true }),
              up: fc.double({ min: 0, max: 1, noNaN: true }),
              down: fc.double({ min: 0, max: 0.999, noNaN: true }),
              volume: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: 0, max: 1e12, noNaN: true })),
              // Whole days keep the date-only form; odd milliseconds force the ISO date-time form.
              step: fc.oneof(fc.integer({ min: 1, max: 5 }).map((d) => d * 86_400_000), fc.integer({ min: 1, max: 1e9 })),
            }),
            { minLength: 1, maxLength: 30 },
          )
          .map((bars): OhlcvSeries => {
            let t = Date.UTC(1999, 11, 31);
            const time = bars.map((b) => (t += b.step));
            return {
              ticker,
              n: bars.length,
              time: toShared(time),
              open: toShared(bars.map((b) => b.open)),
              high: toShared(bars.map((b) => Math.max(b.open, b.close) * (1 + b.up))),
              low: toShared(bars.map((b) => Math.min(b.open, b.close) * (1 - b.down))),
              close: toShared(bars.map((b) => b.close)),
              volume: toShared(bars.map((b) => b.volume)),
            };
          }),
      ),
    ),
  )
  .map((series) => marketDataFromSeries(['generated'], series));

describe('round trips', () => {
  it('CSV -> load -> Arrow -> load keeps every column bit for bit and the hash', () => {
    fc.assert(
      fc.property(arbMarket, (data) => {
        // A single-ticker CSV names its ticker after the file.
        const csv = join(dir, `${data.series[0].ticker}.csv`);
        writeCsv(data, csv);
        const fromCsv = loadMarketData([csv]);
        const arrow = join(dir, 'roundtrip.arrow');
        writeArrow(fromCsv, arrow);
        const fromArrow = loadMarketData([arrow]);
        expect(columnsOf(fromCsv)).toEqual(columnsOf(data));
        expect(columnsOf(fromArrow)).toEqual(columnsOf(data));
        expect([fromCsv.hash, fromArrow.hash]).toEqual([data.hash, data.hash]);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the real data through CSV -> Arrow -> load', () => {
    const data = loadMarketData([SP500, MSFT]);
    const sub = join(dir, 'real');
    mkdirSync(sub);
    writeArrow(data, join(sub, 'both.feather'));
    const back = loadMarketData([join(sub, 'both.feather')]);
    expect(back.hash).toBe(data.hash);
    expect(columnsOf(back)).toEqual(columnsOf(data));
  });
});
