import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashMarketData } from '../../src/data/hash.js';
import { toShared } from '../../src/data/shared.js';
import { readCsv } from '../../src/data/csv.js';
import type { OhlcvSeries } from '../../src/data/types.js';

/** Reference: the documented layout written out value by value with explicit little-endian writes. */
function referenceHash(series: readonly OhlcvSeries[]): string {
  const h = createHash('sha256').update('pnlopt-ohlcv-v1');
  const byName = [...series].sort((a, b) => (a.ticker < b.ticker ? -1 : 1));
  for (const s of byName) {
    const name = Buffer.from(s.ticker, 'utf8');
    const head = Buffer.alloc(8);
    head.writeUInt32LE(name.length, 0);
    head.writeUInt32LE(s.n, 4);
    h.update(head).update(name);
    for (const col of [s.time, s.open, s.high, s.low, s.close, s.volume]) {
      const b = Buffer.alloc(8 * s.n);
      for (let i = 0; i < s.n; i++) b.writeDoubleLE(col[i], 8 * i);
      h.update(b);
    }
  }
  return h.digest('hex');
}

function series(ticker: string, values: number[]): OhlcvSeries {
  const col = () => toShared(values);
  return { ticker, n: values.length, time: col(), open: col(), high: col(), low: col(), close: col(), volume: col() };
}

describe('hashMarketData', () => {
  it('equals the reference layout on generated series', () => {
    const arbSeries = fc.record({
      ticker: fc.string({ minLength: 1, maxLength: 6 }),
      values: fc.array(fc.double(), { maxLength: 20 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(arbSeries, { selector: (s) => s.ticker, maxLength: 4 }), (specs) => {
        const data = specs.map((s) => series(s.ticker, s.values));
        expect(hashMarketData(data)).toBe(referenceHash(data));
      }),
    );
  });

  it('ignores series order but not names, values or where a series ends', () => {
    const a = series('A', [1, 2]);
    const b = series('B', [3]);
    expect(hashMarketData([a, b])).toBe(hashMarketData([b, a]));
    expect(hashMarketData([a])).not.toBe(hashMarketData([series('C', [1, 2])]));
    expect(hashMarketData([a])).not.toBe(hashMarketData([series('A', [1, 2 + 2 ** -51])]));
    // Same bytes split differently between two tickers.
    expect(hashMarketData([series('A', [1, 2]), series('B', [3])])).not.toBe(hashMarketData([series('A', [1]), series('B', [2, 3])]));
  });

  it('hashes only the first n values of each column', () => {
    const s = series('A', [1, 2, 3]);
    expect(hashMarketData([{ ...s, n: 2 }])).toBe(hashMarketData([series('A', [1, 2])]));
  });

  it('pins the hash of data/sp500_daily_ohlcv_2000_2020.csv', () => {
    // Golden value: changes only if the file or the hash layout changes (then bump HASH_VERSION).
    expect(hashMarketData(readCsv('data/sp500_daily_ohlcv_2000_2020.csv'))).toBe(
      '02b97c120a0b59847ffa7fdd86d25de1d1a90067cb61c2b9df263f1f635d4710',
    );
  });
});
