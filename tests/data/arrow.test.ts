import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Bool, DataType, DateDay, DateMillisecond, Float64, Table, TimestampMicrosecond, TimestampMillisecond,
  TimestampNanosecond, TimestampSecond, Utf8, makeVector, tableToIPC, vectorFromArray, type Vector,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, formatViolation, InputError, UsageError } from '../../src/errors.js';
import { ARROW_ROW_NOTE, readArrow } from '../../src/data/arrow.js';
import { readCsv } from '../../src/data/csv.js';
import { hashMarketData } from '../../src/data/hash.js';

const dir = mkdtempSync(join(tmpdir(), 'pnlopt-arrow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The same four bars as tests/fixtures/data/good_single.csv.
const DAYS = [Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3), Date.UTC(2020, 0, 6), Date.UTC(2020, 0, 7)];
const BARS = {
  open: [10, 10.5, 11, 10.2],
  high: [11, 11.5, 11.2, 10.8],
  low: [9, 10, 10.1, 9.9],
  close: [10.5, 11, 10.2, 10.6],
  volume: [1000, 1200, 900, 1100],
};

let fileNo = 0;
/** Write `columns` as an Arrow IPC file; prices default to BARS as Float64. */
function arrowFile(columns: Record<string, Vector>, format: 'file' | 'stream' = 'file', ext = '.arrow'): string {
  const prices = Object.fromEntries(Object.entries(BARS).map(([k, v]) => [k, makeVector(new Float64Array(v))]));
  const path = join(dir, `t${fileNo++}${ext}`);
  writeFileSync(path, tableToIPC(new Table({ ...prices, ...columns }), format));
  return path;
}

function violationsOf(fn: () => unknown): { lines: string[]; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof DataError) return { lines: err.violations.map(formatViolation), message: err.message };
    throw err;
  }
  throw new Error('expected a DataError');
}

describe('readArrow', () => {
  const csv = readCsv('tests/fixtures/data/good_single.csv', { ticker: 'T' });
  const dateColumns: [string, () => Vector][] = [
    ['Timestamp(ms, UTC)', () => vectorFromArray(DAYS, new TimestampMillisecond('UTC'))],
    ['Timestamp(s)', () => vectorFromArray(DAYS, new TimestampSecond())],
    ['Timestamp(us)', () => vectorFromArray(DAYS, new TimestampMicrosecond())],
    ['Timestamp(ns)', () => vectorFromArray(DAYS, new TimestampNanosecond())],
    ['Date32(day)', () => vectorFromArray(DAYS, new DateDay())],
    ['Date64(ms)', () => vectorFromArray(DAYS, new DateMillisecond())],
    ['int64 epoch ms', () => makeVector(new BigInt64Array(DAYS.map(BigInt)))],
    ['float64 epoch ms', () => makeVector(new Float64Array(DAYS))],
    ['utf8 dates', () => vectorFromArray(['2020-01-02', '2020-01-03T00:00:00Z', '2020-01-06', '2020-01-07T01:00:00+01:00'], new Utf8())],
  ];
  it.each(dateColumns)('reads a %s date column to the same series as the CSV', (_, date) => {
    const [s] = readArrow(arrowFile({ date: date() }), { ticker: 'T' });
    expect(hashMarketData([s])).toBe(hashMarketData(csv));
    expect(Array.from(s.time)).toEqual(DAYS);
    expect(s.open.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('reads the stream format, .feather and .ipc names, an int64 volume and a ticker column', () => {
    const ticker = vectorFromArray(['A', 'B', 'A', 'B']);
    expect(DataType.isDictionary(ticker.type)).toBe(true);
    const path = arrowFile(
      { date: vectorFromArray(DAYS, new TimestampMillisecond()), volume: makeVector(new BigInt64Array([1n, 2n, 3n, 4n])), ticker },
      'stream',
      '.feather',
    );
    const [a, b] = readArrow(path);
    expect([a.ticker, Array.from(a.volume), b.ticker, Array.from(b.close)]).toEqual(['A', [1, 3], 'B', [11, 10.6]]);
    const utf8Ticker = arrowFile({ date: vectorFromArray(DAYS, new DateDay()), ticker: vectorFromArray(['Z', 'Z', 'Z', 'Z'], new Utf8()) }, 'file', '.ipc');
    expect(readArrow(utf8Ticker)[0].ticker).toBe('Z');
    expect(() => readArrow(utf8Ticker, { ticker: 'Y' })).toThrow(UsageError);
  });

  it('counts rows from record 1 and says so', () => {
    // Record index 2 (the third record) gets a high below its body: row 3.
    const high = makeVector(new Float64Array([11, 11.5, 10, 10.8]));
    const path = arrowFile({ date: vectorFromArray(DAYS, new DateDay()), high });
    const { lines, message } = violationsOf(() => readArrow(path));
    expect(lines).toEqual([`${path}:3:high: high 10 is below max(open, close) = 11`]);
    expect(message.split('\n')).toEqual([lines[0], `(${ARROW_ROW_NOTE})`]);
    expect(ARROW_ROW_NOTE).toBe('row numbers in an Arrow file count its records from 1; row 0 is the schema');
  });

  it('reports nulls, non-finite values and fractional milliseconds', () => {
    const path = arrowFile({
      // DAYS[1] = Date.UTC(2020, 0, 3) = 1578009600000.
      date: makeVector(new Float64Array([DAYS[0], DAYS[1] + 0.5, DAYS[2], DAYS[3]])),
      close: vectorFromArray([10.5, null, NaN, 10.6], new Float64()),
      ticker: vectorFromArray(['A', 'A', 'A', null], new Utf8()),
    });
    expect(violationsOf(() => readArrow(path)).lines).toEqual([
      `${path}:2:date: timestamp 1578009600000.5 ms is not a whole number of milliseconds`,
      `${path}:2:close: missing close (null)`,
      `${path}:3:close: close NaN is not finite`,
      `${path}:4:ticker: missing ticker (null)`,
    ]);
  });

  it('reports 64-bit integers beyond 2^53 at their row and column: no double holds them exactly', () => {
    const big = 2n ** 60n;
    const path = arrowFile({
      date: makeVector({ type: new TimestampMillisecond(), data: new BigInt64Array([BigInt(DAYS[0]), big, BigInt(DAYS[2]), BigInt(DAYS[3])]) }),
      volume: makeVector(new BigInt64Array([1n, 2n, -big, 2n ** 53n - 1n])),
    });
    expect(violationsOf(() => readArrow(path, { ticker: 'T' })).lines).toEqual([
      `${path}:2:date: cannot read date: ${big} is not safe to convert to a number.`,
      `${path}:3:volume: volume ${-big} is beyond 2^53 - 1, so it cannot be read exactly`,
    ]);
    const epoch = arrowFile({ date: makeVector(new BigInt64Array([BigInt(DAYS[0]), BigInt(DAYS[1]), BigInt(DAYS[2]), big])) });
    expect(violationsOf(() => readArrow(epoch, { ticker: 'T' })).lines).toEqual([`${epoch}:4:date: date ${big} is beyond 2^53 - 1, so it cannot be read exactly`]);
  });

  it('reports schema problems at row 0', () => {
    const path = arrowFile({ date: vectorFromArray([true, false, true, true], new Bool()), Volume: makeVector(new Float64Array(4)) });
    expect(violationsOf(() => readArrow(path)).lines).toEqual([
      `${path}:0:Volume: column 'Volume' repeats column 5`,
    ]);
    const badType = arrowFile({ date: vectorFromArray([true, false, true, true], new Bool()), open: vectorFromArray(['1', '2', '3', '4'], new Utf8()) });
    expect(violationsOf(() => readArrow(badType)).lines).toEqual([
      `${badType}:0:open: column type Utf8 is not supported; expected integer or float for open`,
      `${badType}:0:date: column type Bool is not supported; expected Date, Timestamp, epoch-ms integer or float, or YYYY-MM-DD / ISO-8601 text`,
    ]);
    const noDate = arrowFile({ time: makeVector(new Float64Array(DAYS)) });
    expect(violationsOf(() => readArrow(noDate)).lines).toEqual([
      `${noDate}:0:time: unknown column 'time'; expected date, open, high, low, close, volume and optionally ticker`,
      `${noDate}:0:date: missing required column 'date'`,
    ]);
  });

  it('rejects a file that is not Arrow, and a missing file, as input errors', () => {
    const path = join(dir, 'not.arrow');
    writeFileSync(path, 'date,open\n2020-01-02,1\n');
    expect(() => readArrow(path)).toThrow(InputError);
    expect(() => readArrow(path)).toThrow(/is not a readable Arrow IPC file/);
    expect(() => readArrow(join(dir, 'missing.arrow'))).toThrow(/cannot read data file/);
  });
});
