/**
 * `pnlopt ingest` end to end (runs the built CLI in this process: `npm run build` first): one row per trading day
 * whatever the offset a date is written with, `--mode replace`, strict UTF-8, and tickers that
 * hold terminal control sequences printed escaped.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Table, makeVector, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ROOT, runCliInProcess } from '../../helpers/cli.js';

const MSFT = join(ROOT, 'data', 'msft_2000_2001_daily_ohlcv.csv');
const tmp = () => mkdtempSync(join(tmpdir(), 'pnlopt-ingest-'));
/** Any C0 / C1 control but the line feed: what must never reach the terminal raw. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

interface IngestJson {
  mode: string;
  tickers: { ticker: string; rows: number; inserted: number; updated: number; unchanged: number; removed: number }[];
}

function storedRows(db: string): number {
  const conn = new Database(db, { readonly: true });
  try {
    return (conn.prepare('SELECT COUNT(*) AS n FROM ohlcv').get() as { n: number }).n;
  } finally {
    conn.close();
  }
}

describe('pnlopt ingest', () => {
  it('stores the same daily bars written with a UTC offset as the same rows: one row per day', async () => {
    const dir = tmp();
    const db = join(dir, 's.db');
    const [header, ...rows] = readFileSync(MSFT, 'utf8').trimEnd().split('\n');
    // The same file, every date written as midnight in New York (the name gives the same ticker).
    const offset = join(dir, 'msft_2000_2001_daily_ohlcv.csv');
    writeFileSync(offset, [header, ...rows.map((r) => r.replace(/^(\d{4}-\d{2}-\d{2})/, '$1T00:00:00-05:00'))].join('\n') + '\n');
    expect(readFileSync(offset, 'utf8')).toContain('2000-09-27T00:00:00-05:00,');

    const first = await runCliInProcess(['ingest', '--data', MSFT, '--db', db, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const again = await runCliInProcess(['ingest', '--data', offset, '--db', db, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as IngestJson).tickers[0]).toMatchObject({ rows: 249, inserted: 0, updated: 0, unchanged: 249, removed: 0 });
    expect(storedRows(db)).toBe(249);
  });

  it('--mode replace removes the bars the source lacks, in the table and the JSON', async () => {
    const dir = tmp();
    const db = join(dir, 's.db');
    const lines = readFileSync(MSFT, 'utf8').trimEnd().split('\n');
    const half = join(dir, 'msft_2000_2001_daily_ohlcv.csv');
    writeFileSync(half, lines.slice(0, 101).join('\n') + '\n');
    const upsert = await runCliInProcess(['ingest', '--data', MSFT, '--db', db]);
    expect(upsert.code, upsert.stderr).toBe(0);
    expect(upsert.stdout.split('\n')[0]).not.toContain('removed');

    const replace = await runCliInProcess(['ingest', '--data', half, '--db', db, '--mode', 'replace']);
    expect(replace.code, replace.stderr).toBe(0);
    const [head, , row] = replace.stdout.split('\n');
    const cells = (line: string) => line.split(/\s{2,}/);
    expect(cells(row)[cells(head).indexOf('removed')]).toBe('149');
    expect(storedRows(db)).toBe(100);

    const json = await runCliInProcess(['ingest', '--data', MSFT, '--db', db, '--mode', 'replace', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ mode: 'replace', tickers: [{ inserted: 149, unchanged: 100, removed: 0 }] });
    const bad = await runCliInProcess(['ingest', '--data', MSFT, '--db', db, '--mode', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'nope' is invalid");
  });

  it('refuses Latin-1 bytes at their line and character, before the store is created', async () => {
    const dir = tmp();
    const db = join(dir, 's.db');
    const file = join(dir, 'latin1.csv');
    // In Latin-1, CAFÉ and CAFÈ differ only in a byte that is not UTF-8: read leniently, both would be CAF\uFFFD.
    writeFileSync(file, Buffer.from('date,ticker,open,high,low,close,volume\n2020-01-02,CAFÉ,1,1,1,1,1\n2020-01-02,CAFÈ,1,1,1,1,1\n', 'latin1'));
    const r = await runCliInProcess(['ingest', '--data', file, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:2:15: invalid UTF-8 (byte 0xc9); the file must be UTF-8 text`);
    expect(existsSync(db)).toBe(false);
  });

  it('prints a ticker holding terminal control sequences escaped, in tables and in errors', async () => {
    const dir = tmp();
    const db = join(dir, 's.db');
    const file = join(dir, 'ansi.csv');
    const ticker = 'AB\x1b[2JC\x1b]0;pwned\x07';
    writeFileSync(file, `date,ticker,open,high,low,close,volume\n2020-01-02,"${ticker}",1,1,1,1,1\n2020-01-03,"${ticker}",1,1,1,1,1\n`);
    const ok = await runCliInProcess(['ingest', '--data', file, '--db', db]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('AB\\x1b[2JC\\x1b]0;pwned\\x07');
    expect(ok.stdout + ok.stderr).not.toMatch(RAW_CONTROL);

    writeFileSync(file, `date,ticker,open,high,low,close,volume\n2020-01-02,"${ticker}",1,1,1,1,1\n2020-01-02,"${ticker}",1,1,1,1,1\n`);
    const dup = await runCliInProcess(['ingest', '--data', file, '--db', db]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('duplicate timestamp 2020-01-02 for ticker AB\\x1b[2JC\\x1b]0;pwned\\x07 (same as row 2)');
    expect(dup.stderr).not.toMatch(RAW_CONTROL);
  });

  it('refuses an Arrow 64-bit integer beyond 2^53 with exit 2, naming file, row and column', async () => {
    const dir = tmp();
    const file = join(dir, 'big.arrow');
    const days = [Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)];
    const f64 = (v: number[]) => makeVector(new Float64Array(v));
    const table = new Table({
      date: makeVector(new BigInt64Array(days.map(BigInt))),
      open: f64([1, 1]), high: f64([1, 1]), low: f64([1, 1]), close: f64([1, 1]),
      volume: makeVector(new BigInt64Array([1n, 2n ** 53n + 1n])),
    });
    writeFileSync(file, tableToIPC(table));
    const r = await runCliInProcess(['ingest', '--data', file, '--db', join(dir, 's.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:2:volume: volume 9007199254740993 is beyond 2^53 - 1, so it cannot be read exactly`);
    expect(r.stderr).not.toContain('    at ');
  });
});
