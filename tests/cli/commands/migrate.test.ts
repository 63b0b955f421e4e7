/**
 * `pnlopt migrate` end to end: reading an older store is refused (untouched) with the migrate
 * command to run; `migrate` upgrades it and says from and to which version; a writing command
 * migrates its own older store with a note; a missing file or another application's database is
 * refused and never created or modified. The CLI runs in this process (`runCliInProcess`): exit
 * codes and messages are `main`'s (through a real process: tests/cli/main.test.ts).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseManager } from '../../../src/store/database.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { ROOT, runCliInProcess } from '../../helpers/cli.js';
import { fingerprint, foreignDatabase } from '../../helpers/store-files.js';

const MSFT = join(ROOT, 'data', 'msft_2000_2001_daily_ohlcv.csv');
const LATEST = MIGRATIONS.at(-1)!;
const BACKTEST = ['backtest', '--strategy', 'sma_cross', '--params', 'fast=5,slow=20'];

/** A closed pnlopt store one migration behind the newest. */
function olderStore(path: string): void {
  new DatabaseManager(path, MIGRATIONS.slice(0, -1)).close();
}

describe('pnlopt migrate', () => {
  it('reading an older store asks for a migration; migrate upgrades it and says from and to which version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-migrate-'));
    const db = join(dir, 'old.db');
    olderStore(db);
    const before = fingerprint(db);
    const read = await runCliInProcess([...BACKTEST, '--data', `db:${db}`]);
    expect(read.code).toBe(2);
    expect(read.stderr).toContain(`${db}: a pnlopt store at schema version ${LATEST.version - 1}; this pnlopt reads version ${LATEST.version}: run pnlopt migrate --db ${db}`);
    expect(fingerprint(db)).toEqual(before);

    const up = await runCliInProcess(['migrate', '--db', db, '--json']);
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toEqual({ db, from: LATEST.version - 1, to: LATEST.version, applied: [{ version: LATEST.version, description: LATEST.description }] });
  });

  it('a writing command migrates its own older store, saying so, once its inputs are checked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-migrate-'));
    const db = join(dir, 'old.db');
    olderStore(db);
    const cands = join(dir, 'cands.csv');
    const evaluate = (candidates: string) =>
      runCliInProcess(['evaluate', '--db', db, '--data', MSFT, '--strategy', 'sma_cross', '--candidates', candidates, '--out', join(dir, 'out.csv'), '--workers', '1']);
    // Refused input (no candidates file): the store is not opened, so not migrated.
    expect((await evaluate(cands)).code).toBe(2);
    const before = new DatabaseManager(db, MIGRATIONS.slice(0, -1), 'read');
    expect(before.schemaVersion()).toBe(LATEST.version - 1);
    before.close();
    writeFileSync(cands, 'fast,slow\n5,20\n');
    const r = await evaluate(cands);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`pnlopt: ${db}: migrated the store from schema version ${LATEST.version - 1} to ${LATEST.version}`);
  });

  it('refuses a missing file (nothing created) and a foreign database (untouched)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pnlopt-migrate-'));
    const missing = await runCliInProcess(['migrate', '--db', join(dir, 'none.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--db ${join(dir, 'none.db')}: no such file, nothing to migrate`);
    expect(existsSync(join(dir, 'none.db'))).toBe(false);
    const app = join(dir, 'app.db');
    foreignDatabase(app);
    const before = fingerprint(app);
    const foreign = await runCliInProcess(['migrate', '--db', app]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain(`${app}: not a pnlopt store`);
    expect(fingerprint(app)).toEqual(before);
  });
});
