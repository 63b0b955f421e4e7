/**
 * Opening the store: what is refused (and left byte for byte as it was), reading without writing,
 * and migrating only in write mode. (Schema creation and a failed migration's rollback:
 * ingest.test.ts.)
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { checkStore, DatabaseManager } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { damagePage, fingerprint, foreignDatabase } from '../helpers/store-files.js';

const LATEST = MIGRATIONS.at(-1)!.version;
const tmp = () => mkdtempSync(join(tmpdir(), 'pnlopt-db-'));

/** A closed pnlopt store at `version` with one bar stored. */
function storeAt(path: string, version: number): void {
  const dbm = new DatabaseManager(path, MIGRATIONS.filter((m) => m.version <= version));
  dbm.db.prepare("INSERT INTO ohlcv VALUES ('AAA', 0, 1, 1, 1, 1, 10, 'test')").run();
  dbm.close();
}

/** Open in each mode and in `checkStore`: every one throws an `InputError` matching `message`, and the file is untouched. */
function expectRefused(path: string, message: RegExp): void {
  const before = fingerprint(path);
  for (const open of [() => new DatabaseManager(path), () => new DatabaseManager(path, MIGRATIONS, 'read'), () => checkStore(path)]) {
    expect(open).toThrow(InputError);
    expect(open).toThrow(message);
  }
  expect(fingerprint(path)).toEqual(before);
}

describe('DatabaseManager refuses what is not a sound pnlopt store, writing nothing', () => {
  it("another application's database, in rollback or WAL mode", () => {
    const dir = tmp();
    foreignDatabase(join(dir, 'app.db'));
    expectRefused(join(dir, 'app.db'), /app\.db: not a pnlopt store .*no pnlopt schema version/);
    const wal = new Database(join(dir, 'wal.db'));
    wal.pragma('journal_mode = WAL');
    wal.exec('CREATE TABLE t (x)');
    wal.close();
    expectRefused(join(dir, 'wal.db'), /wal\.db: not a pnlopt store/);
  });

  it('a database whose user_version claims a pnlopt schema it does not have, and one from a newer pnlopt', () => {
    const dir = tmp();
    const fake = new Database(join(dir, 'fake.db'));
    fake.exec('CREATE TABLE t (x)');
    fake.pragma('user_version = 1');
    fake.close();
    expectRefused(join(dir, 'fake.db'), /fake\.db: not a pnlopt store \(user_version 1, but no table ohlcv, /);
    storeAt(join(dir, 'newer.db'), LATEST);
    const newer = new Database(join(dir, 'newer.db'));
    newer.pragma(`user_version = ${LATEST + 1}`);
    newer.close();
    expectRefused(join(dir, 'newer.db'), new RegExp(`schema version ${LATEST + 1} is newer than this pnlopt's \\(${LATEST}\\)`));
  });

  it('a file that is not SQLite, a folder, an empty path', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'notes.db'), 'date,close\n2020-01-02,1\n'.repeat(20));
    expectRefused(join(dir, 'notes.db'), /notes\.db: not a SQLite database/);
    writeFileSync(join(dir, 'short.db'), 'SQLite');
    expectRefused(join(dir, 'short.db'), /short\.db: not a SQLite database/);
    mkdirSync(join(dir, 'folder.db'));
    expect(() => new DatabaseManager(join(dir, 'folder.db'))).toThrow(/folder\.db: is a folder, not a database file/);
    expect(() => new DatabaseManager('')).toThrow(InputError);
    writeFileSync(join(dir, 'file'), '');
    expect(() => new DatabaseManager(join(dir, 'file', 'under.db'))).toThrow(/under\.db: cannot open the database \(a folder on the way is a file\)/);
  });

  it('a store with a damaged page (PRAGMA quick_check)', () => {
    const dir = tmp();
    storeAt(join(dir, 'good.db'), LATEST);
    copyFileSync(join(dir, 'good.db'), join(dir, 'bad.db'));
    damagePage(join(dir, 'bad.db'));
    expectRefused(join(dir, 'bad.db'), /bad\.db: the database is damaged \(.+\): restore it from a backup/);
    // The intact copy opens.
    new DatabaseManager(join(dir, 'good.db'), MIGRATIONS, 'read').close();
  });
});

describe('DatabaseManager modes', () => {
  it('read: a missing file, an empty database and an older store are refused untouched; a current store is read', () => {
    const dir = tmp();
    expect(() => new DatabaseManager(join(dir, 'none.db'), MIGRATIONS, 'read')).toThrow(/none\.db: no such database/);
    writeFileSync(join(dir, 'empty.db'), '');
    expect(() => new DatabaseManager(join(dir, 'empty.db'), MIGRATIONS, 'read')).toThrow(/empty\.db: an empty database, not a pnlopt store/);
    storeAt(join(dir, 'old.db'), LATEST - 1);
    const before = fingerprint(join(dir, 'old.db'));
    expect(() => new DatabaseManager(join(dir, 'old.db'), MIGRATIONS, 'read')).toThrow(
      new RegExp(`old\\.db: a pnlopt store at schema version ${LATEST - 1}; this pnlopt reads version ${LATEST}: run pnlopt migrate --db `),
    );
    expect(fingerprint(join(dir, 'old.db'))).toEqual(before);
    storeAt(join(dir, 'cur.db'), LATEST);
    const main = fingerprint(join(dir, 'cur.db')).sha256;
    const reader = new DatabaseManager(join(dir, 'cur.db'), MIGRATIONS, 'read');
    expect(reader.db.readonly).toBe(true);
    expect(reader.db.prepare('SELECT COUNT(*) AS n FROM ohlcv').get()).toEqual({ n: 1 });
    expect(() => reader.db.exec('DELETE FROM ohlcv')).toThrow(/readonly/);
    reader.close();
    expect(fingerprint(join(dir, 'cur.db')).sha256).toBe(main);
  });

  it('write: creates a store, initialises an empty database, migrates an older store and says from where', () => {
    const dir = tmp();
    const fresh = new DatabaseManager(join(dir, 'sub', 'new.db'));
    expect([fresh.versionAtOpen, fresh.schemaVersion()]).toEqual([0, LATEST]);
    fresh.close();
    writeFileSync(join(dir, 'empty.db'), '');
    const empty = new DatabaseManager(join(dir, 'empty.db'));
    expect([empty.versionAtOpen, empty.schemaVersion()]).toEqual([0, LATEST]);
    empty.close();
    storeAt(join(dir, 'old.db'), LATEST - 1);
    const old = new DatabaseManager(join(dir, 'old.db'));
    expect([old.versionAtOpen, old.schemaVersion()]).toEqual([LATEST - 1, LATEST]);
    expect(old.db.prepare('SELECT ticker FROM ohlcv').all()).toEqual([{ ticker: 'AAA' }]);
    old.close();
  });
});
