import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { marketDataFromSeries } from '../../src/data/load.js';
import { toShared } from '../../src/data/shared.js';
import type { MarketData, OhlcvSeries } from '../../src/data/types.js';
import { writeArrow, writeCsv } from '../../src/data/write.js';
import { UsageError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'pnlopt-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function series(ticker: string, rows: number[][]): OhlcvSeries {
  const col = (j: number) => toShared(rows.map((r) => r[j]));
  return { ticker, n: rows.length, time: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) };
}

const D2 = Date.UTC(2020, 0, 2);
const ONE: MarketData = marketDataFromSeries(['mem'], [
  series('A', [
    [D2, 0.1 + 0.2, 1 / 3 + 1, 0.1, 1 / 3, 1e21],
    [D2 + 86_400_000 + 34_200_001, 2, 2, 2, 2, 0],
  ]),
]);

describe('writeCsv', () => {
  it('writes a single series without a ticker column, numbers in round-trip form', () => {
    const path = join(dir, 'one.csv');
    writeCsv(ONE, path);
    // 0.1 + 0.2 = 0.30000000000000004 and 1/3 + 1 = 1.3333333333333333 in shortest round-trip form;
    // the second bar is 2020-01-03 09:30:00.001 UTC, not a midnight, so it is written in full.
    expect(readFileSync(path, 'utf8')).toBe(
      [
        'date,open,high,low,close,volume',
        '2020-01-02,0.30000000000000004,1.3333333333333333,0.1,0.3333333333333333,1e+21',
        '2020-01-03T09:30:00.001Z,2,2,2,2,0',
        '',
      ].join('\n'),
    );
  });

  it('adds a ticker column when there is more than one series', () => {
    const two = marketDataFromSeries(['mem'], [series('A', [[D2, 1, 1, 1, 1, 5]]), series('B', [[D2, 3, 4, 2, 3, 6]])]);
    const path = join(dir, 'two.csv');
    writeCsv(two, path);
    expect(readFileSync(path, 'utf8')).toBe('date,open,high,low,close,volume,ticker\n2020-01-02,1,1,1,1,5,A\n2020-01-02,3,4,2,3,6,B\n');
  });

  it('replaces an existing file whole', () => {
    const path = join(dir, 'replace.csv');
    writeFileSync(path, 'x'.repeat(10_000));
    writeCsv(ONE, path);
    expect(readFileSync(path, 'utf8').startsWith('date,')).toBe(true);
    expect(readFileSync(path, 'utf8')).toHaveLength(readFileSync(join(dir, 'one.csv'), 'utf8').length);
  });
});

describe('writeArrow', () => {
  it('writes Timestamp(ms, UTC) dates, float64 prices and a dictionary ticker column', () => {
    const path = join(dir, 'one.arrow');
    writeArrow(ONE, path);
    const table = tableFromIPC(readFileSync(path));
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'date:Timestamp<MILLISECOND, UTC>',
      'open:Float64',
      'high:Float64',
      'low:Float64',
      'close:Float64',
      'volume:Float64',
      'ticker:Dictionary<Int32, Utf8>',
    ]);
    expect(table.getChild('date')!.get(1)).toBe(D2 + 86_400_000 + 34_200_001);
    expect(table.getChild('ticker')!.get(0)).toBe('A');
  });
});

describe('a failed write leaves nothing behind', () => {
  const writers = [
    ['writeCsv', writeCsv],
    ['writeArrow', writeArrow],
  ] as const;

  it.each(writers)('%s onto a path that is a directory is a usage error and leaves nothing behind', (_, write) => {
    const parent = join(dir, `blocked-${_}`);
    mkdirSync(join(parent, 'target'), { recursive: true });
    writeFileSync(join(parent, 'target', 'keep'), '');
    expect(() => write(ONE, join(parent, 'target'))).toThrow(UsageError);
    expect(readdirSync(parent)).toEqual(['target']);
    expect(readdirSync(join(parent, 'target'))).toEqual(['keep']);
  });

  it.each(writers)('%s into a missing directory is a usage error naming the path, and creates nothing', (_, write) => {
    const path = join(dir, 'missing', 'x.csv');
    expect(() => write(ONE, path)).toThrow(new UsageError(`--out ${path}: the folder ${join(dir, 'missing')} does not exist`));
    expect(() => write(ONE, path, '--data-out')).toThrow(`--data-out ${path}: `);
    expect(readdirSync(dir)).not.toContain('missing');
  });

  // Root ignores directory permissions, so this case only means something for other users.
  it.skipIf(process.getuid?.() === 0).each(writers)('%s into a read-only directory throws and leaves it empty', (_, write) => {
    const ro = join(dir, `ro-${_}`);
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    try {
      expect(() => write(ONE, join(ro, 'x.csv'))).toThrow(new UsageError(`--out ${join(ro, 'x.csv')}: the folder ${ro} is not writable`));
      expect(readdirSync(ro)).toEqual([]);
    } finally {
      chmodSync(ro, 0o755);
    }
  });
});
