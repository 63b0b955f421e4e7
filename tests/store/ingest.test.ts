/**
 * Ingest into the SQLite store: idempotent upsert, one quality snapshot per ticker, hand-checked
 * quality figures, and that a failed ingest (bad file, or an error part-way through the writes)
 * leaves the database unchanged.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMarketData } from '../../src/data/load.js';
import { DataError } from '../../src/errors.js';
import { DatabaseManager } from '../../src/store/database.js';
import { ingestMarketData, qualitySnapshots } from '../../src/store/ingest.js';
import { loadMarketDataFromDb } from '../../src/store/market-data.js';
import { MIGRATIONS } from '../../src/store/migrations.js';

const DATA = join(import.meta.dirname, '..', '..', 'data');
const MSFT = join(DATA, 'msft_2000_2001_daily_ohlcv.csv');
const GAP_MULTIPLE = 4.5;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'pnlopt-store-'));
}

/** Every stored bar of every ticker and the snapshot count: the observable state of the store. */
function dump(dbm: DatabaseManager): { bars: unknown; snapshots: number } {
  return { bars: loadMarketDataFromDb(dbm), snapshots: qualitySnapshots(dbm).length };
}

describe('DatabaseManager', () => {
  it('creates the schema at the newest version, in WAL mode, and reopens without re-migrating', () => {
    const path = join(tmp(), 'nested', 'p.db');
    const a = new DatabaseManager(path);
    expect(a.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
    expect(a.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (a.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining(['ohlcv', 'trade_executions', 'strategy_configs', 'optimization_runs', 'run_families', 'candidate_batches', 'candidate_failures', 'candidate_rankings', 'candidate_holdout', 'split_drift_metrics', 'data_quality_snapshots']),
    );
    expect(tables).not.toContain('optimization_candidates'); // converted by migration 4, dropped by 5
    a.close();
    const b = new DatabaseManager(path);
    expect(b.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
    b.close();
  });

  it('rolls back a migration that fails and keeps the old version', () => {
    const path = join(tmp(), 'm.db');
    new DatabaseManager(path).close();
    const broken = [...MIGRATIONS, { version: 99, description: 'broken', sql: 'CREATE TABLE extra (x); INSERT INTO nosuch VALUES (1);' }];
    expect(() => new DatabaseManager(path, broken)).toThrow(/nosuch/);
    const again = new DatabaseManager(path);
    expect(again.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
    expect(again.db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toBeUndefined();
    again.close();
  });
});

describe('ingestMarketData', () => {
  it('is idempotent: a second ingest of the same file inserts and updates nothing', () => {
    const dbm = new DatabaseManager(':memory:');
    const data = loadMarketData([MSFT]);
    const first = ingestMarketData(dbm, data, GAP_MULTIPLE);
    expect(first.tickers[0]).toMatchObject({ inserted: 249, updated: 0, unchanged: 0 });
    const before = dump(dbm).bars;
    const second = ingestMarketData(dbm, data, GAP_MULTIPLE);
    expect(second.tickers[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 249 });
    expect(dump(dbm).bars).toEqual(before);
    // Each ingest is logged as its own quality snapshot.
    expect(dump(dbm).snapshots).toBe(2);
    dbm.close();
  });

  it('upserts: a corrected bar replaces the stored one', () => {
    const dir = tmp();
    const file = join(dir, 'x.csv');
    writeFileSync(file, 'date,open,high,low,close,volume\n2020-01-02,10,11,9,10.5,100\n2020-01-03,10.5,12,10,11,200\n');
    const dbm = new DatabaseManager(':memory:');
    ingestMarketData(dbm, loadMarketData([file]), GAP_MULTIPLE);
    writeFileSync(file, 'date,open,high,low,close,volume\n2020-01-03,10.5,12,10,11.5,250\n2020-01-06,11.5,12,11,11.8,300\n');
    const s = ingestMarketData(dbm, loadMarketData([file]), GAP_MULTIPLE);
    expect(s.tickers[0]).toMatchObject({ inserted: 1, updated: 1, unchanged: 0 });
    const bars = loadMarketDataFromDb(dbm).series.flatMap((b) => Array.from({ length: b.n }, (_, i) => ({ close: b.close[i], volume: b.volume[i] })));
    expect(bars).toEqual([
      { close: 10.5, volume: 100 },
      { close: 11.5, volume: 250 },
      { close: 11.8, volume: 300 },
    ]);
    dbm.close();
  });

  it('replace mode removes the ticker\'s stored bars the source lacks, and only that ticker\'s', () => {
    const dir = tmp();
    const file = join(dir, 'x.csv');
    const other = join(dir, 'y.csv');
    writeFileSync(file, 'date,open,high,low,close,volume\n2020-01-02,10,11,9,10.5,100\n2020-01-03,10.5,12,10,11,200\n2020-01-06,11,12,10,11,200\n');
    writeFileSync(other, 'date,open,high,low,close,volume\n2020-01-02,1,1,1,1,1\n');
    const dbm = new DatabaseManager(':memory:');
    ingestMarketData(dbm, loadMarketData([file, other]), GAP_MULTIPLE);
    // The source now lacks 2020-01-02 and 2020-01-06, changes 2020-01-03 and adds 2020-01-07.
    writeFileSync(file, 'date,open,high,low,close,volume\n2020-01-03,10.5,12,10,11.5,250\n2020-01-07,11.5,12,11,11.8,300\n');
    const upsert = ingestMarketData(dbm, loadMarketData([file]), GAP_MULTIPLE);
    expect(upsert).toMatchObject({ mode: 'upsert', tickers: [{ inserted: 1, updated: 1, unchanged: 0, removed: 0 }] });
    const replace = ingestMarketData(dbm, loadMarketData([file]), GAP_MULTIPLE, 'replace');
    expect(replace).toMatchObject({ mode: 'replace', tickers: [{ inserted: 0, updated: 0, unchanged: 2, removed: 2 }] });
    const stored = loadMarketDataFromDb(dbm).series.map((b) => [b.ticker, Array.from(b.time)]);
    expect(stored).toEqual([
      ['x', [Date.UTC(2020, 0, 3), Date.UTC(2020, 0, 7)]],
      ['y', [Date.UTC(2020, 0, 2)]],
    ]);
    dbm.close();
  });

  it('replace mode removes nothing when an error strikes after the removals: one transaction', () => {
    const dbm = new DatabaseManager(':memory:');
    ingestMarketData(dbm, loadMarketData([MSFT]), GAP_MULTIPLE);
    const before = dump(dbm);
    const dir = tmp();
    const half = join(dir, 'msft_2000_2001_daily_ohlcv.csv');
    const lines = readFileSync(MSFT, 'utf8').trimEnd().split('\n');
    // The first half of the bars, and one new bar at the end, whose insert fails.
    writeFileSync(half, [...lines.slice(0, 125), '2001-12-31,1,1,1,1,1'].join('\n'));
    dbm.db.exec(`CREATE TRIGGER fail_insert BEFORE INSERT ON ohlcv BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() => ingestMarketData(dbm, loadMarketData([half]), GAP_MULTIPLE, 'replace')).toThrow(/disk full/);
    expect(dump(dbm)).toEqual(before);
    dbm.close();
  });

  it('records hand-checked quality figures', () => {
    const dir = tmp();
    const file = join(dir, 'q.csv');
    // Steps (days): 1, 1, 7, 1: median 1, and 7 > 4.5 x 1 is the one gap. Volumes 100, 0, 300, 200, 400.
    writeFileSync(
      file,
      'date,open,high,low,close,volume\n2020-01-01,1,1,1,1,100\n2020-01-02,1,1,1,1,0\n2020-01-03,1,1,1,1,300\n2020-01-10,1,1,1,1,200\n2020-01-11,1,1,1,1,400\n',
    );
    const dbm = new DatabaseManager(':memory:');
    const q = ingestMarketData(dbm, loadMarketData([file]), GAP_MULTIPLE).tickers[0].quality;
    // mean = 1000 / 5 = 200; deviations -100, -200, 100, 0, 200 -> squares sum 100000; / (5 - 1) = 25000.
    expect(q).toMatchObject({ rows: 5, gaps: 1, zeroVolumeBars: 1, volumeMean: 200, volumeMin: 0, volumeMax: 400, medianStepMs: 86_400_000, largestGapMs: 7 * 86_400_000 });
    expect(q.volumeStd).toBeCloseTo(Math.sqrt(25_000), 12);
    expect(qualitySnapshots(dbm)[0]).toMatchObject({ rows: 5, gaps: 1, volumeMean: 200, zeroVolumeBars: 1 });
    dbm.close();
  });

  it('leaves the database unchanged when an error strikes part-way through the writes', () => {
    const dbm = new DatabaseManager(':memory:');
    ingestMarketData(dbm, loadMarketData([MSFT]), GAP_MULTIPLE);
    const before = dump(dbm);
    const sp = loadMarketData([join(DATA, 'sp500_daily_ohlcv_2000_2020.csv')]);
    // A trigger that fails on the 1000th new bar makes the write fail mid-transaction.
    dbm.db.exec(`CREATE TRIGGER fail_late BEFORE INSERT ON ohlcv
      WHEN (SELECT COUNT(*) FROM ohlcv WHERE ticker = NEW.ticker) >= 1000 BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() => ingestMarketData(dbm, sp, GAP_MULTIPLE)).toThrow(/disk full/);
    expect(dump(dbm)).toEqual(before);
    dbm.close();
  });

  it('round-trips through the store: what comes back equals what went in, hash included', () => {
    const dbm = new DatabaseManager(':memory:');
    const data = loadMarketData([MSFT]);
    ingestMarketData(dbm, data, GAP_MULTIPLE);
    const back = loadMarketDataFromDb(dbm);
    expect(back.hash).toBe(data.hash);
    expect(Array.from(back.series[0].close)).toEqual(Array.from(data.series[0].close));
    expect(() => loadMarketDataFromDb(dbm, ['NOPE'])).toThrow(/no bars stored for ticker\(s\) NOPE/);
    dbm.close();
  });

  it('a bad file is rejected before the database is touched', () => {
    const dir = tmp();
    const bad = join(dir, 'bad.csv');
    copyFileSync(MSFT, join(dir, 'good.csv'));
    writeFileSync(bad, 'date,open,high,low,close,volume\n2020-01-02,10,9,9,10.5,100\n');
    expect(() => loadMarketData([join(dir, 'good.csv'), bad])).toThrow(DataError);
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });
});
