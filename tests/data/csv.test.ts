import { isUtf8 } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DataError, formatViolation, InputError, UsageError } from '../../src/errors.js';
import { parseCsv, readCsv } from '../../src/data/csv.js';
import { decodeUtf8 } from '../../src/data/input.js';
import { validateTable } from '../../src/data/validate.js';

const FIX = 'tests/fixtures/data';

/** The DataError thrown by `fn`. */
function dataErrorOf(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error('expected a DataError');
}

/** `file:row:column: problem` of every violation `fn` throws. */
function violationsOf(fn: () => unknown): string[] {
  return dataErrorOf(fn).violations.map(formatViolation);
}

const fromText = (text: string, file = 'mem.csv') => validateTable(parseCsv(text, file, { note: () => {} }));

/** Read a file, keeping the notes instead of printing them. */
function readWithNotes(path: string): { series: ReturnType<typeof readCsv>; notes: string[] } {
  const notes: string[] = [];
  return { series: readCsv(path, { note: (m) => notes.push(m) }), notes };
}

describe('one bad fixture per rule, located by file:row:column', () => {
  const cases: [string, string][] = [
    ['missing_column.csv', "1:low: missing required column 'low'"],
    ['unparsable_number.csv', "3:close: cannot parse '1e' as a number"],
    ['non_finite.csv', '4:open: open Infinity is not finite'],
    ['price_not_positive.csv', '3:close: close -11 must be > 0'],
    ['high_too_low.csv', '5:high: high 10.9 is below max(open, close) = 11'],
    ['low_too_high.csv', '3:low: low 10.6 is above min(open, close) = 10.5'],
    ['negative_volume.csv', '4:volume: volume -900 must be >= 0'],
    ['duplicate_timestamp.csv', '4:date: duplicate timestamp 2020-01-03 for ticker duplicate_timestamp (same as row 3)'],
    ['out_of_order.csv', '5:date: timestamp 2020-01-06 for ticker out_of_order is out of order (row 4 has 2020-01-07)'],
    [
      'bad_date.csv',
      "4:date: cannot parse date '2020/01/06'; expected YYYY-MM-DD or an ISO-8601 date-time with Z or a UTC offset",
    ],
  ];
  it.each(cases)('%s', (name, expected) => {
    const path = `${FIX}/${name}`;
    expect(violationsOf(() => readCsv(path))).toEqual([`${path}:${expected}`]);
  });

  it('reports a repeated timestamp anywhere in a ticker, besides the order break', () => {
    const path = `${FIX}/scattered_duplicate.csv`;
    expect(violationsOf(() => readCsv(path))).toEqual([
      `${path}:7:date: timestamp 2020-01-02 for ticker AAA is out of order (row 6 has 2020-01-06)`,
      `${path}:7:date: duplicate timestamp 2020-01-02 for ticker AAA (same as row 2)`,
    ]);
  });

  it('lists 20 violations and counts the rest', () => {
    // many_violations.csv has a negative volume on each of its 25 data rows (rows 2..26).
    const err = dataErrorOf(() => readCsv(`${FIX}/many_violations.csv`));
    expect(err.violations).toHaveLength(25);
    const lines = err.message.split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe(`${FIX}/many_violations.csv:2:volume: volume -1 must be >= 0`);
    expect(lines[19]).toBe(`${FIX}/many_violations.csv:21:volume: volume -20 must be >= 0`);
    expect(lines[20]).toBe('... and 5 more violation(s)');
  });
});

describe('real data files', () => {
  it('loads the S&P 500 file clean: 5105 bars, first and last row as in the file', () => {
    const [s, ...rest] = readCsv('data/sp500_daily_ohlcv_2000_2020.csv');
    expect(rest).toHaveLength(0);
    expect(s.ticker).toBe('sp500_daily_ohlcv_2000_2020');
    expect(s.n).toBe(5105);
    // First line: 2000-01-03,1469.250000,1478.000000,1438.359985,1455.219971,931800000
    expect([s.time[0], s.open[0], s.high[0], s.low[0], s.close[0], s.volume[0]]).toEqual([
      Date.UTC(2000, 0, 3), 1469.25, 1478, 1438.359985, 1455.219971, 931800000,
    ]);
    // Last line: 2020-04-17,2842.429932,2879.219971,2830.879883,2874.560059,5792140000
    const e = s.n - 1;
    expect([s.time[e], s.open[e], s.high[e], s.low[e], s.close[e], s.volume[e]]).toEqual([
      Date.UTC(2020, 3, 17), 2842.429932, 2879.219971, 2830.879883, 2874.560059, 5792140000,
    ]);
  });

  it('loads the MSFT file clean: 249 bars, first and last row as in the file', () => {
    const [s] = readCsv('data/msft_2000_2001_daily_ohlcv.csv');
    expect(s.n).toBe(249);
    // 2000-09-27,63.4375,63.5625,59.8125,60.625,53077800 ... 2001-09-27,50.1,50.68,48,49.96,40595600
    expect([s.time[0], s.open[0], s.high[0], s.low[0], s.close[0], s.volume[0]]).toEqual([
      Date.UTC(2000, 8, 27), 63.4375, 63.5625, 59.8125, 60.625, 53077800,
    ]);
    const e = s.n - 1;
    expect([s.time[e], s.open[e], s.high[e], s.low[e], s.close[e], s.volume[e]]).toEqual([
      Date.UTC(2001, 8, 27), 50.1, 50.68, 48, 49.96, 40595600,
    ]);
    expect(s.close.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe('format', () => {
  it('reads a ticker column, any column order and case, and Z / offset date-times', () => {
    const [a, b] = readCsv(`${FIX}/good_multi.csv`);
    expect([a.ticker, a.n, b.ticker, b.n]).toEqual(['AAA', 2, 'BBB', 2]);
    expect(Array.from(a.time)).toEqual([Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)]);
    // 2020-01-03T09:00:00+09:00 is 2020-01-03T00:00:00Z.
    expect(Array.from(b.time)).toEqual([Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)]);
    expect(Array.from(b.open)).toEqual([20, 20.5]);
    expect(Array.from(b.high)).toEqual([21, 21.5]);
  });

  it('names a ticker-less file by its base name unless told otherwise', () => {
    expect(readCsv(`${FIX}/good_single.csv`)[0].ticker).toBe('good_single');
    expect(readCsv(`${FIX}/good_single.csv`, { ticker: 'SPX' })[0].ticker).toBe('SPX');
  });

  it('refuses a ticker override for a file with a ticker column', () => {
    expect(() => readCsv(`${FIX}/good_multi.csv`, { ticker: 'X' })).toThrow(UsageError);
  });

  it('accepts a BOM, CRLF line ends and trailing blank lines', () => {
    const [s] = fromText('\ufeffdate,open,high,low,close,volume\r\n2020-01-02,1,2,0.5,1.5,10\r\n\r\n\r\n');
    expect([s.n, s.close[0]]).toEqual([1, 1.5]);
  });

  it('reports a blank line inside the data, a wrong field count and an empty ticker', () => {
    const text = [
      'date,open,high,low,close,volume,ticker',
      '2020-01-02,1,2,0.5,1.5,10,A',
      '',
      '2020-01-03,1,2,0.5,1.5,A',
      '2020-01-06,1,2,0.5,1.5,10,',
      '2020-01-07,1,2,0.5,,10,A',
    ].join('\n');
    expect(violationsOf(() => fromText(text))).toEqual([
      'mem.csv:3:*: empty row',
      'mem.csv:4:*: expected 7 fields as in the header, found 6',
      'mem.csv:5:ticker: empty ticker',
      'mem.csv:6:close: empty close',
    ]);
  });

  it('reports a repeated column and a header-only file', () => {
    expect(violationsOf(() => fromText('date,open,high,low,close,volume,Close\n'))).toEqual([
      "mem.csv:1:Close: column 'Close' repeats column 5",
    ]);
    expect(violationsOf(() => fromText('date,open,high,low,close,volume\n'))).toEqual(['mem.csv:1:*: no data rows']);
  });

  it('collects every violation of a row and of the file, in row then column order', () => {
    const text = ['date,open,high,low,close,volume', '2020-01-02,abc,-1,x,NaN,-5', 'bad,1,2,0.5,1.5,10'].join('\n');
    expect(violationsOf(() => fromText(text))).toEqual([
      "mem.csv:2:open: cannot parse 'abc' as a number",
      'mem.csv:2:high: high -1 must be > 0',
      "mem.csv:2:low: cannot parse 'x' as a number",
      'mem.csv:2:close: close NaN is not finite',
      'mem.csv:2:volume: volume -5 must be >= 0',
      "mem.csv:3:date: cannot parse date 'bad'; expected YYYY-MM-DD or an ISO-8601 date-time with Z or a UTC offset",
    ]);
  });
});

describe('inputs people have', () => {
  it('ignores an extra column with one note naming it (it used to be an error)', () => {
    const path = `${FIX}/unknown_column.csv`;
    const { series, notes } = readWithNotes(path);
    expect([series[0].n, series[0].close[0]]).toEqual([1, 10.5]);
    expect(notes).toEqual([`${path}: ignoring column(s) 'adj_close'`]);
  });

  it('prints the note on standard error by default, one line per file', () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      readCsv(`${FIX}/unknown_column.csv`);
      readCsv(`${FIX}/yahoo_quoted.csv`);
      expect(spy.mock.calls.map((c) => c[0])).toEqual([
        `pnlopt: ${FIX}/unknown_column.csv: ignoring column(s) 'adj_close'\n`,
        `pnlopt: ${FIX}/yahoo_quoted.csv: ignoring column(s) 'Adj Close'\n`,
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('loads a Yahoo-style file: quoted fields, CRLF, Close read as close and Adj Close ignored', () => {
    // "Date","Open","High","Low","Close","Adj Close","Volume", some fields quoted, CRLF line ends.
    const { series, notes } = readWithNotes(`${FIX}/yahoo_quoted.csv`);
    expect(series).toHaveLength(1);
    const [s] = series;
    expect(s.ticker).toBe('yahoo_quoted');
    expect(Array.from(s.time)).toEqual([Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3), Date.UTC(2020, 0, 6)]);
    expect(Array.from(s.close)).toEqual([10.5, 11, 11.25]);
    expect(Array.from(s.high)).toEqual([11, 11.25, 11.5]);
    expect(Array.from(s.volume)).toEqual([1200300, 980000, 1100000]);
    expect(notes).toEqual([`${FIX}/yahoo_quoted.csv: ignoring column(s) 'Adj Close'`]);
  });

  it('loads a pandas to_csv() file: the unnamed index column is ignored silently; Datetime, Vol and Symbol are aliases', () => {
    const { series, notes } = readWithNotes(`${FIX}/pandas_index.csv`);
    expect(series.map((s) => [s.ticker, s.n])).toEqual([['AAA', 2], ['BBB', 1]]);
    expect(Array.from(series[0].time)).toEqual([Date.UTC(2020, 0, 2, 14, 30), Date.UTC(2020, 0, 2, 14, 31)]);
    expect(Array.from(series[0].volume)).toEqual([1000, 1200]);
    expect(Array.from(series[1].close)).toEqual([20.5]);
    expect(notes).toEqual([]);
  });

  it('matches header names trimmed and case-insensitively, with aliases', () => {
    for (const date of ['Date', ' DATETIME ', 'Timestamp', 'time']) {
      const [s] = fromText(`${date},OPEN, high ,Low,close,VOL\n2020-01-02,1,2,0.5,1.5,10\n`);
      expect([s.n, s.time[0], s.volume[0]]).toEqual([1, Date.UTC(2020, 0, 2), 10]);
    }
    const [a] = fromText('date,open,high,low,close,volume,Symbol\n2020-01-02,1,2,0.5,1.5,10,XYZ\n');
    expect(a.ticker).toBe('XYZ');
  });

  it('does not take Adj Close for close, and reports two names of one column and a missing one', () => {
    expect(violationsOf(() => fromText('date,open,high,low,Adj Close,volume\n2020-01-02,1,2,0.5,1.5,10\n'))).toEqual([
      "mem.csv:1:close: missing required column 'close'",
    ]);
    expect(violationsOf(() => fromText('Date,Timestamp,open,high,low,close,volume\n'))).toEqual([
      "mem.csv:1:Timestamp: column 'Timestamp' repeats column 1",
    ]);
    expect(violationsOf(() => fromText('day,open,high,low,close,volume\n'))).toEqual([
      "mem.csv:1:date: missing required column 'date' (also read as datetime, timestamp, time)",
    ]);
  });

  it('reads quoted fields (commas, doubled quotes, line breaks) and numbers rows by the line a record starts on', () => {
    const text = [
      'date,open,high,low,close,volume,ticker,note',
      '2020-01-02,1,2,0.5,1.5,10,"A,B","say ""hi"""',
      '2020-01-03,1,2,0.5,1.5,10,"A,B","two',
      'lines"',
      '2020-01-06,1,2,0.5,-1.5,10,"A,B",',
      '',
    ].join('\n');
    const notes: string[] = [];
    const t = parseCsv(text, 'mem.csv', { note: (m) => notes.push(m) });
    expect(Array.from(t.row.subarray(0, t.n))).toEqual([2, 3, 5]);
    expect([...t.tickers.keys()]).toEqual(['A,B']);
    expect(notes).toEqual(["mem.csv: ignoring column(s) 'note'"]);
    // The third record starts on line 5: the second spans lines 3 and 4.
    expect(violationsOf(() => validateTable(t))).toEqual(['mem.csv:5:close: close -1.5 must be > 0']);
  });

  it('reports a quoting problem at its row and column, with the rest of the file', () => {
    const text = [
      'date,open,high,low,close,volume',
      '2020-01-02,1,2,0.5,1.5,10',
      '2020-01-03,1,2",0.5,1.5,10',
      '2020-01-06,1,2,0.5,1.5,-1',
      '2020-01-07,"1,2,0.5,1.5,10',
    ].join('\r\n');
    expect(violationsOf(() => fromText(text))).toEqual([
      'mem.csv:3:high: field 3: a quote inside an unquoted field (quote the whole field, and write the quote as "")',
      'mem.csv:4:volume: volume -1 must be >= 0',
      'mem.csv:5:open: field 2: the quote opened here is not closed before the end of the file',
    ]);
  });

  it('accepts a BOM, CRLF, quoted header names and a CRLF inside quotes together', () => {
    const [s] = fromText('\ufeff"Date","Open","High","Low","Close","Volume","Ticker"\r\n"2020-01-02",1,2,0.5,1.5,10,"X\r\nY"\r\n\r\n');
    expect([s.ticker, s.n, s.close[0]]).toEqual(['X\r\nY', 1, 1.5]);
  });
});

describe('mutated files (fuzz)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pnlopt-csvfuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const good = Buffer.from(readFileSync(`${FIX}/good_multi.csv`));
  /** A mutation of the file's bytes: insert, overwrite or delete, with bytes that break UTF-8, quoting and rows. */
  const piece = fc.oneof(fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b)), fc.constantFrom(...['"', ',', '\n', '\r', '\r\n', '\ufeff', 'é', '\x1b[2J', '1e400', '-1', '2020-01-02T00:00:00-05:00'].map((t) => Buffer.from(t))));
  const mutation = fc.record({ at: fc.nat(), cut: fc.nat(6), insert: piece });
  const mutate = (bytes: Buffer, ms: readonly { at: number; cut: number; insert: Buffer }[]): Buffer =>
    ms.reduce((b, m) => {
      const at = m.at % (b.length + 1);
      return Buffer.concat([b.subarray(0, at), m.insert, b.subarray(Math.min(b.length, at + m.cut))]);
    }, bytes);
  /** What reading gives: the series read, or the input error's message; anything else is a bug and throws. */
  const outcome = (read: () => ReturnType<typeof readCsv>): unknown => {
    try {
      return read().map((s) => [s.ticker, Array.from(s.time), Array.from(s.close), Array.from(s.volume)]);
    } catch (err) {
      if (err instanceof InputError) return `${err.name}: ${err.message}`;
      throw err;
    }
  };

  it('finds a cut character at the end of a file before a header problem, as decoding the whole file does', () => {
    const path = join(dir, 'cut-end.csv');
    writeFileSync(path, Buffer.concat([Buffer.from('dat,open\n1,2\n'), Buffer.from([0xc3])]));
    expect(outcome(() => readCsv(path, { note: () => {} }))).toMatch(/invalid UTF-8 \(byte 0xc3\)/);
  });

  it('reads or refuses with an input error, the same in any chunk size as from the whole text', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 64 }), (ms, chunkBytes) => {
        const bytes = mutate(good, ms);
        const path = join(dir, `m${n++}.csv`);
        writeFileSync(path, bytes);
        const inChunks = outcome(() => readCsv(path, { note: () => {} }, { chunkBytes, maxRecordChars: 1 << 20 }));
        const inOne = outcome(() => readCsv(path, { note: () => {} }));
        const whole = outcome(() => validateTable(parseCsv(decodeUtf8(bytes, path), path, { note: () => {} })));
        if (isUtf8(bytes)) {
          expect(inChunks).toEqual(whole);
          expect(inOne).toEqual(whole);
        } else {
          // Refused in every reading; a header problem in an early chunk may be found before the bad byte.
          for (const o of [inChunks, inOne, whole]) expect(o).toMatch(/^DataError: /);
          expect(whole).toMatch(/invalid UTF-8/);
          expect(inOne).toEqual(whole);
        }
      }),
      { numRuns: 200 },
    );
  });
});
