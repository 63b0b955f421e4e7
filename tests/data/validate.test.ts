import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError, formatViolation } from '../../src/errors.js';
import { parseCsv } from '../../src/data/csv.js';
import { formatTime, parseDate, parseNumber, validateTable } from '../../src/data/validate.js';

describe('parseNumber', () => {
  it.each([
    ['10', 10], ['-1.5e-3', -0.0015], ['+2', 2], ['.5', 0.5], ['1.', 1], ['1469.250000', 1469.25],
    ['1e400', Infinity], ['NaN', NaN], ['-inf', -Infinity], ['Infinity', Infinity],
  ])('reads %j', (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  it.each(['', '1e', 'abc', '0x10', '1_000', ' 1', '1,5', '--1', '1e5.5', 'Infinityx'])('rejects %j', (text) => {
    expect(parseNumber(text)).toBeUndefined();
  });
});

describe('parseDate', () => {
  it.each([
    ['2020-02-29', Date.UTC(2020, 1, 29)],
    ['2020-01-02T10:30Z', Date.UTC(2020, 0, 2, 10, 30)],
    ['2020-01-02T10:30:15.5Z', Date.UTC(2020, 0, 2, 10, 30, 15, 500)],
    // 10:30 at +05:30 is 05:00 UTC; 10:30 at -01 is 11:30 UTC.
    ['2020-01-02T10:30:00+0530', Date.UTC(2020, 0, 2, 5, 0)],
    ['2020-01-02T10:30:00-01', Date.UTC(2020, 0, 2, 11, 30)],
    ['0050-01-01', new Date('0050-01-01T00:00:00Z').getTime()], // year 50, not 1950 as Date.UTC(50, 0, 1) gives
  ])('reads %s', (text, ms) => {
    expect(parseDate(text)).toBe(ms);
  });

  it.each([
    '2019-02-29', '2020-13-01', '2020-1-2', '2020-01-02T10:30:00', '2020-01-02 10:30:00Z', '2020-01-02T24:00Z',
    '2020-01-02T10:60Z', '2020-01-02T10:30:00.1234Z', '02/01/2020', '', '2020-01-02Z',
  ])('rejects %s', (text) => {
    expect(parseDate(text)).toBeUndefined();
  });

  it('reads back what formatTime writes, date-only at midnight', () => {
    expect(formatTime(Date.UTC(2020, 0, 2))).toBe('2020-01-02');
    expect(formatTime(Date.UTC(2020, 0, 2, 0, 0, 0, 1))).toBe('2020-01-02T00:00:00.001Z');
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        expect(parseDate(formatTime(ms))).toBe(ms);
      }),
    );
  });
});

/** One valid bar per element: prices > 0, high >= max(open, close), low <= min(open, close). */
const validBars = fc.array(
  fc.record({
    open: fc.double({ min: 0.01, max: 1e6, noNaN: true }),
    close: fc.double({ min: 0.01, max: 1e6, noNaN: true }),
    up: fc.double({ min: 0, max: 0.5, noNaN: true }),
    down: fc.double({ min: 0, max: 0.99, noNaN: true }),
    volume: fc.integer({ min: 0, max: 1e9 }),
    minutesAfter: fc.integer({ min: 1, max: 10_000 }),
  }),
  { minLength: 2, maxLength: 40 },
);

type Bar = { time: number; open: number; high: number; low: number; close: number; volume: number };
type RawBar = { open: number; close: number; up: number; down: number; volume: number; minutesAfter: number };

function toBars(raw: readonly RawBar[]): Bar[] {
  let time = Date.UTC(2020, 0, 1);
  return raw.map((r) => {
    time += r.minutesAfter * 60_000;
    return { time, open: r.open, close: r.close, high: Math.max(r.open, r.close) * (1 + r.up), low: Math.min(r.open, r.close) * (1 - r.down), volume: r.volume };
  });
}

function csvOf(bars: readonly Bar[]): string {
  const rows = bars.map((b) => `${formatTime(b.time)},${b.open},${b.high},${b.low},${b.close},${b.volume}`);
  return ['date,open,high,low,close,volume', ...rows].join('\n');
}

function locations(bars: readonly Bar[]): string[] {
  try {
    validateTable(parseCsv(csvOf(bars), 'mem.csv'));
    return [];
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    return err.violations.map((v) => formatViolation(v).split(': ')[0]);
  }
}

/** Each fault breaks exactly one rule in exactly one cell of bar r (r >= 1). */
const FAULTS: Record<string, { column: string; apply: (bars: Bar[], r: number) => void }> = {
  highBelowBody: { column: 'high', apply: (b, r) => void (b[r].high = Math.max(b[r].open, b[r].close) / 2) },
  lowAboveBody: { column: 'low', apply: (b, r) => void (b[r].low = Math.min(b[r].open, b[r].close) * 1.5) },
  zeroClose: { column: 'close', apply: (b, r) => void (b[r].close = 0) },
  negativeVolume: { column: 'volume', apply: (b, r) => void (b[r].volume = -1) },
  infiniteOpen: { column: 'open', apply: (b, r) => void (b[r].open = Infinity) },
  duplicateTime: { column: 'date', apply: (b, r) => void (b[r].time = b[r - 1].time) },
  // 1 ms before its predecessor and, with gaps of >= 1 minute, equal to no earlier bar.
  timeBackwards: { column: 'date', apply: (b, r) => void (b[r].time = b[r - 1].time - 1) },
};

describe('validateTable on generated series', () => {
  it('accepts every valid series and keeps its values bit for bit', () => {
    fc.assert(
      fc.property(validBars, (raw) => {
        const bars = toBars(raw);
        const [s] = validateTable(parseCsv(csvOf(bars), 'mem.csv'));
        expect(Array.from(s.close)).toEqual(bars.map((b) => b.close));
        expect(Array.from(s.high)).toEqual(bars.map((b) => b.high));
        expect(Array.from(s.time)).toEqual(bars.map((b) => b.time));
      }),
      { numRuns: 100 },
    );
  });

  it('finds an injected fault at its row and column and nowhere else', () => {
    fc.assert(
      fc.property(validBars, fc.nat(), fc.constantFrom(...Object.keys(FAULTS)), (raw, pick, name) => {
        const bars = toBars(raw);
        const r = 1 + (pick % (bars.length - 1));
        FAULTS[name].apply(bars, r);
        // Bar r is on file row r + 2: the header is row 1 and bar 0 row 2.
        expect(locations(bars)).toEqual([`mem.csv:${r + 2}:${FAULTS[name].column}`]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('canonical timestamps', () => {
  const DAY = Date.UTC(2000, 0, 3);
  const read = (dates: readonly string[], tickers?: readonly string[]) => {
    const header = tickers === undefined ? 'date,open,high,low,close,volume' : 'date,ticker,open,high,low,close,volume';
    const rows = dates.map((d, i) => (tickers === undefined ? `${d},1,1,1,1,1` : `${d},${tickers[i]},1,1,1,1,1`));
    return validateTable(parseCsv([header, ...rows].join('\n'), 'mem.csv', { note: () => {} }));
  };
  const times = (dates: readonly string[]) => Array.from(read(dates)[0].time);

  it('puts a daily bar on its calendar date as written, whatever the offset: one instant per day', () => {
    const ways = [
      ['2000-01-03', '2000-01-04'],
      ['2000-01-03T00:00:00Z', '2000-01-04T00:00Z'],
      ['2000-01-03T00:00:00-05:00', '2000-01-04T00:00:00-05:00'],
      ['2000-01-03T00:00:00.000+09:00', '2000-01-04T00:00+0530'],
    ];
    for (const dates of ways) expect(times(dates)).toEqual([DAY, DAY + 86_400_000]);
  });

  it('finds the same day written two ways in one file a duplicate', () => {
    expect(() => read(['2000-01-03', '2000-01-03T00:00:00-05:00'])).toThrow('mem.csv:3:date: duplicate timestamp 2000-01-03 for ticker mem (same as row 2)');
  });

  it('keeps the instants of an intraday series, midnights included', () => {
    // One bar at 15:30 makes the series intraday: its -05:00 midnight stays 05:00 UTC.
    expect(times(['2000-01-03T00:00:00-05:00', '2000-01-03T15:30:00-05:00'])).toEqual([DAY + 5 * 3_600_000, DAY + 20.5 * 3_600_000]);
  });

  it('decides daily or intraday per ticker', () => {
    const [a, b] = read(['2000-01-03T00:00:00-05:00', '2000-01-03T00:00:00-05:00', '2000-01-03T09:30:00-05:00'], ['A', 'B', 'B']);
    expect(Array.from(a.time)).toEqual([DAY]);
    expect(Array.from(b.time)).toEqual([DAY + 5 * 3_600_000, DAY + 14.5 * 3_600_000]);
  });
});
