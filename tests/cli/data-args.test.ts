/**
 * `--data db:PATH` and `--db PATH` through the built CLI: reading opens the store read-only and
 * never migrates or writes; what is not a sound pnlopt store is refused with exit 2 naming it,
 * without a stack trace, and left byte for byte as it was (no -wal / -shm files either). The CLI runs
 * in this process (`runCliInProcess`): exit codes and messages are `main`'s (through a real process:
 * tests/cli/main.test.ts).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMarketData } from '../../src/data/load.js';
import { DatabaseManager } from '../../src/store/database.js';
import { ingestMarketData } from '../../src/store/ingest.js';
import { ROOT, runCliInProcess, type CliResult } from '../helpers/cli.js';
import { damagePage, fingerprint, foreignDatabase } from '../helpers/store-files.js';

const MSFT = join(ROOT, 'data', 'msft_2000_2001_daily_ohlcv.csv');
const BACKTEST = ['backtest', '--strategy', 'sma_cross', '--params', 'fast=5,slow=20'];
/** A stack frame line, as V8 prints it. */
const STACK = /\n\s+at /;

let dir: string;
let store: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pnlopt-data-args-'));
  store = join(dir, 'store.db');
  const dbm = new DatabaseManager(store);
  ingestMarketData(dbm, loadMarketData([MSFT]), 4.5);
  dbm.close();
});

async function expectRefused(run: Promise<CliResult>, message: string): Promise<void> {
  const r = await run;
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(message);
  expect(r.stderr).not.toMatch(STACK);
}

describe('--data db:PATH reads without writing', () => {
  it("refuses another application's SQLite file and leaves it byte-identical, with no -wal / -shm files", async () => {
    const app = join(dir, 'app.db');
    foreignDatabase(app);
    const before = fingerprint(app);
    await expectRefused(runCliInProcess([...BACKTEST, '--data', `db:${app}`]), `${app}: not a pnlopt store`);
    // A writing command refuses it the same way.
    await expectRefused(runCliInProcess(['ingest', '--data', MSFT, '--db', app]), `${app}: not a pnlopt store`);
    expect(fingerprint(app)).toEqual(before);
    expect(before.sideFiles).toEqual([]);
  });

  it('refuses a file that is not SQLite, naming it (a folder, a missing file: tests/store/database.test.ts)', async () => {
    const text = join(dir, 'prices.csv');
    writeFileSync(text, 'date,close\n2020-01-02,1\n'.repeat(10));
    await expectRefused(runCliInProcess([...BACKTEST, '--data', `db:${text}`]), `${text}: not a SQLite database`);
  });

  it('refuses to write into a store with a damaged page, and leaves it untouched', async () => {
    const bad = join(dir, 'damaged.db');
    copyFileSync(store, bad);
    damagePage(bad);
    const before = fingerprint(bad);
    await expectRefused(runCliInProcess(['ingest', '--data', MSFT, '--db', bad]), `${bad}: the database is damaged (`);
    expect(fingerprint(bad)).toEqual(before);
  });
});

describe('--db PATH', () => {
  it('refuses an empty path, a folder and a path under a file: exit 2 naming it, no stack trace, nothing created', async () => {
    await expectRefused(runCliInProcess(['ingest', '--data', MSFT, '--db', '']), '--db: expected a file path, got an empty string');
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    await expectRefused(runCliInProcess(['ingest', '--data', MSFT, '--db', folder]), `${folder}: is a folder, not a database file`);
    const file = join(dir, 'plain');
    writeFileSync(file, '');
    await expectRefused(runCliInProcess(['ingest', '--data', MSFT, '--db', join(file, 'x.db')]), `${join(file, 'x.db')}: cannot open the database`);
    expect(existsSync(join(file, 'x.db'))).toBe(false);
  });
});
