import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/errors.js';
import { marketDataFromSeries } from '../../src/data/load.js';
import { alignPanel } from '../../src/data/panel.js';
import { toShared } from '../../src/data/shared.js';
import type { OhlcvSeries } from '../../src/data/types.js';

/** A series whose columns are `base + time * 10 + offset` (open +1, high +2, low +3, close +4, volume +5). */
function series(ticker: string, times: number[], base = 0): OhlcvSeries {
  const col = (offset: number) => toShared(times.map((t) => base + t * 10 + offset));
  return { ticker, n: times.length, time: toShared(times), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) };
}

describe('alignPanel', () => {
  const data = marketDataFromSeries(['mem'], [series('A', [1, 2, 3, 5]), series('B', [2, 3, 4, 5, 6])]);

  it('keeps the common timestamps, ticker-major', () => {
    // A has 1,2,3,5 and B has 2,3,4,5,6: common calendar 2,3,5 (T = 3).
    const p = alignPanel(data);
    expect(p.tickers).toEqual(['A', 'B']);
    expect(p.T).toBe(3);
    expect(Array.from(p.time)).toEqual([2, 3, 5]);
    // Index k * T + t: A's bars 2,3,5 then B's bars 2,3,5; close = time * 10 + 4.
    expect(Array.from(p.close)).toEqual([24, 34, 54, 24, 34, 54]);
    expect(Array.from(p.open)).toEqual([21, 31, 51, 21, 31, 51]);
    expect(Array.from(p.volume)).toEqual([25, 35, 55, 25, 35, 55]);
    for (const c of [p.time, p.open, p.high, p.low, p.close, p.volume]) expect(c.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('takes a chosen subset in the chosen order', () => {
    const p = alignPanel(data, ['B']);
    expect([p.tickers, p.T, Array.from(p.high)]).toEqual([['B'], 5, [22, 32, 42, 52, 62]]);
  });

  it('rejects an empty intersection, unknown or repeated tickers and an empty choice', () => {
    const apart = marketDataFromSeries(['mem'], [series('A', [Date.UTC(2020, 0, 1)]), series('B', [Date.UTC(2021, 0, 1)])]);
    expect(() => alignPanel(apart)).toThrow(new InputError('tickers share no timestamp: A 2020-01-01..2020-01-01, B 2021-01-01..2021-01-01'));
    expect(() => alignPanel(data, ['A', 'Z'])).toThrow(new UsageError("unknown ticker 'Z'; the data has A, B"));
    expect(() => alignPanel(data, ['A', 'A'])).toThrow(UsageError);
    expect(() => alignPanel(data, [])).toThrow(UsageError);
  });

  it('matches a set-based reference on generated calendars', () => {
    const calendar = fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 40 }).map((a) => a.sort((x, y) => x - y));
    fc.assert(
      fc.property(fc.array(calendar, { minLength: 1, maxLength: 4 }), (calendars) => {
        const names = calendars.map((_, k) => `T${k}`);
        const d = marketDataFromSeries(['mem'], calendars.map((c, k) => series(names[k], c, 1000 * k)));
        // Reference: timestamps present in every calendar, sorted.
        const common = calendars[0].filter((t) => calendars.every((c) => c.includes(t)));
        if (common.length === 0) {
          expect(() => alignPanel(d)).toThrow(InputError);
          return;
        }
        const p = alignPanel(d);
        expect(Array.from(p.time)).toEqual(common);
        expect(Array.from(p.low)).toEqual(names.flatMap((_, k) => common.map((t) => 1000 * k + t * 10 + 3)));
      }),
      { numRuns: 200 },
    );
  });
});
