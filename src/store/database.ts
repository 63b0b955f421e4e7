/**
 * `DatabaseManager`: the one owner of the SQLite file. WAL mode while open for writing (a rollback
 * journal again once the last writer closes), foreign keys on. Multi-row writes go through
 * `transaction()` so that a failure leaves the database as it was.
 *
 * An existing file is checked on a read-only connection before anything is written to it, and
 * refused (an `InputError` naming it, the file left byte for byte as it was) unless it is a sound
 * pnlopt store or an empty database: a folder, a device, a file that is not SQLite, a database
 * that fails `PRAGMA quick_check`, another application's database (schema objects but no pnlopt
 * schema version, or not the tables its version has) and a store written by a newer pnlopt are
 * all refused. A pnlopt store is its `PRAGMA user_version` (the last migration applied) and the
 * tables those migrations create.
 *
 * Two modes. `write` (the default) creates a missing file, initialises an empty database and
 * migrates an older pnlopt store to the newest schema (`versionAtOpen` tells from where). `read`
 * keeps the read-only connection and never migrates: a store that needs a migration is refused
 * with the command that upgrades it (`pnlopt migrate`).
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { InputError } from '../errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type StoreMode = 'read' | 'write';

export class DatabaseManager {
  readonly db: Database.Database;
  /** Schema version found at open, before any migration: 0 for a new or empty database. */
  readonly versionAtOpen: number;

  /** Open (see the header for the checks and modes). `:memory:` works for tests. */
  constructor(
    readonly path: string,
    migrations: readonly Migration[] = MIGRATIONS,
    readonly mode: StoreMode = 'write',
  ) {
    if (path === '') throw new InputError('the database path is empty: give a file path');
    const latest = migrations.at(-1)?.version ?? 0;
    const exists = path !== ':memory:' && existingFile(path, mode);
    if (exists) {
      const ro = checkedReadOnly(path, migrations);
      const version = ro.pragma('user_version', { simple: true }) as number;
      if (mode === 'read') {
        if (version < latest) {
          ro.close();
          throw new InputError(
            version === 0
              ? `${path}: an empty database, not a pnlopt store: put data in it with pnlopt ingest --db ${path}`
              : `${path}: a pnlopt store at schema version ${version}; this pnlopt reads version ${latest}: run pnlopt migrate --db ${path}`,
          );
        }
        ro.pragma('busy_timeout = 5000');
        this.db = ro;
        this.versionAtOpen = version;
        return;
      }
      ro.close();
    }
    this.db = openForWrite(path, exists);
    this.versionAtOpen = this.schemaVersion();
    this.migrate(migrations);
  }

  /** Current schema version (`PRAGMA user_version`). */
  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Run `fn` in one IMMEDIATE transaction; it rolls back if `fn` throws. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.mode === 'write' && this.path !== ':memory:') {
      // Back to a rollback journal when this is the last connection (busy otherwise: it stays WAL),
      // so that a later read-only open, which could not remove them, leaves no -wal / -shm files.
      this.db.pragma('busy_timeout = 0');
      try {
        this.db.pragma('journal_mode = DELETE');
      } catch {
        // Another connection is open; the last one to close switches.
      }
    }
    this.db.close();
  }

  /**
   * Foreign keys are off while migrations run (SQLite's way to rebuild a table that others refer
   * to: sqlite.org/lang_altertable.html#otheralter), and each migration commits only if none is
   * left dangling.
   */
  private migrate(migrations: readonly Migration[]): void {
    const current = this.schemaVersion();
    if (!migrations.some((m) => m.version > current)) return;
    this.db.pragma('foreign_keys = OFF');
    try {
      for (const m of migrations) {
        if (m.version <= current) continue;
        this.transaction(() => {
          this.db.exec(m.sql);
          m.convert?.(this.db);
          const broken = this.db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`migration ${m.version} leaves ${broken.length} foreign key(s) dangling: ${JSON.stringify(broken.slice(0, 3))}`);
          this.db.pragma(`user_version = ${m.version}`);
        });
      }
    } finally {
      this.db.pragma('foreign_keys = ON');
    }
  }
}

/**
 * Check, writing nothing, that an existing file at `path` could be opened for writing (see the
 * header); a missing file passes. Commands call it before long work, and open the store after.
 */
export function checkStore(path: string, migrations: readonly Migration[] = MIGRATIONS): void {
  if (path === '') throw new InputError('the database path is empty: give a file path');
  if (existingFile(path, 'write')) checkedReadOnly(path, migrations).close();
}

/**
 * A store, or a function that opens it: a job calls it once every input is checked, so bad input
 * creates or migrates no store and records no run.
 */
export type StoreSource = DatabaseManager | (() => DatabaseManager);

export function storeOf(source: StoreSource): DatabaseManager {
  return typeof source === 'function' ? source() : source;
}

/** Whether `path` is an existing regular file; false when missing (read mode: refused); anything else is refused. */
function existingFile(path: string, mode: StoreMode): boolean {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (mode === 'read') throw new InputError(`${path}: no such database`);
      return false;
    }
    throw new InputError(`${path}: cannot open the database (${code === 'ENOTDIR' ? 'a folder on the way is a file' : (err as Error).message})`);
  }
  if (st.isDirectory()) throw new InputError(`${path}: is a folder, not a database file`);
  if (!st.isFile()) throw new InputError(`${path}: is not a regular file, so not a database`);
  return true;
}

/** Page size of a new store: SQLite's largest. */
const PAGE_BYTES = 65536;

/**
 * A new connection that may write: folders and file created when missing, WAL on. A store that
 * cannot be created or written (permissions, read-only file system) is an `InputError` naming it.
 */
function openForWrite(path: string, exists: boolean): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:' && !exists) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    // Before the switch to WAL, which waits for a reader's lock like any write.
    db.pragma('busy_timeout = 5000');
    // A new file only (an existing one keeps its size): candidates are stored as BLOBs of tens of KB
    // per batch, which 64 KiB pages write in a few page writes instead of dozens (measured: storing
    // costs about a third less). Must precede WAL, which fixes the page size.
    if (!exists) db.pragma(`page_size = ${PAGE_BYTES}`);
    db.pragma('journal_mode = WAL');
  } catch (err) {
    db?.close();
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string') throw err;
    throw new InputError(`${path}: cannot ${exists ? 'open the database for writing' : 'create the database'} (${(err as Error).message})`);
  }
  db.pragma('foreign_keys = ON');
  // In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit survives the process
  // being killed (kill -9 loses nothing committed), only a power cut can take the last ones, and the
  // file stays consistent either way (sqlite.org/pragma.html#pragma_synchronous). Every stored batch
  // commits; FULL cost about 0.8 ms per commit here, more than storing the batch.
  db.pragma('synchronous = NORMAL');
  return db;
}

/** The SQLite header (sqlite.org/fileformat.html): a magic string, then big-endian fields at fixed offsets. */
const HEADER = { bytes: 100, magic: 'SQLite format 3\0', schemaCookie: 40, userVersion: 60 } as const;

/**
 * A read-only connection to the existing file `path`, after checking that it is a sound pnlopt
 * store at a version `migrations` knows, or an empty database; otherwise an `InputError`.
 */
function checkedReadOnly(path: string, migrations: readonly Migration[]): Database.Database {
  let ro: Database.Database | undefined;
  try {
    checkHeader(path);
    ro = new Database(path, { readonly: true, fileMustExist: true });
    const check = (ro.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
    if (check.length !== 1 || check[0] !== 'ok') {
      const first = check.join('\n').split('\n').find((l) => !l.startsWith('***')) ?? '';
      throw new InputError(`${path}: the database is damaged (PRAGMA quick_check: ${first}): restore it from a backup`);
    }
    checkSchema(ro, path, migrations);
    return ro;
  } catch (err) {
    ro?.close();
    if (err instanceof InputError) throw err;
    throw readError(err, path);
  }
}

/**
 * Refuse from the header alone, without opening: a file that is not SQLite, and (when no `-wal`
 * file holds newer pages) a database with a schema but no pnlopt version. SQLite itself would
 * leave `-wal` / `-shm` files beside a WAL-mode database it reads.
 */
function checkHeader(path: string): void {
  const head = Buffer.alloc(HEADER.bytes);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, HEADER.bytes, 0);
  } finally {
    closeSync(fd);
  }
  if (n === 0) return;
  if (n < HEADER.bytes || head.toString('latin1', 0, HEADER.magic.length) !== HEADER.magic) {
    throw new InputError(`${path}: not a SQLite database, so not a pnlopt store`);
  }
  if (!existsSync(`${path}-wal`) && head.readUInt32BE(HEADER.userVersion) === 0 && head.readUInt32BE(HEADER.schemaCookie) !== 0) {
    throw notAStore(path, 'it has a schema but no pnlopt schema version: user_version 0');
  }
}

/** Refuse another application's database or a newer pnlopt's store; an empty database passes. */
function checkSchema(ro: Database.Database, path: string, migrations: readonly Migration[]): void {
  const version = ro.pragma('user_version', { simple: true }) as number;
  const objects = ro.prepare('SELECT type, name FROM sqlite_master').all() as { type: string; name: string }[];
  const latest = migrations.at(-1)?.version ?? 0;
  if (version === 0) {
    if (objects.length > 0) throw notAStore(path, `it has ${objects.length} schema object(s) (${objects.slice(0, 5).map((o) => o.name).join(', ')}) but no pnlopt schema version`);
    return;
  }
  if (version > latest) throw new InputError(`${path}: schema version ${version} is newer than this pnlopt's (${latest}): use the pnlopt that wrote it`);
  const tables = new Set(objects.filter((o) => o.type === 'table').map((o) => o.name));
  const missing = tablesUpTo(migrations, version).filter((t) => !tables.has(t));
  if (missing.length > 0) throw notAStore(path, `user_version ${version}, but no table ${missing.join(', ')}`);
}

function notAStore(path: string, why: string): InputError {
  return new InputError(`${path}: not a pnlopt store (${why}); pnlopt neither reads nor modifies it`);
}

/** The tables the migrations up to `version` create and have not dropped, read from their SQL. */
function tablesUpTo(migrations: readonly Migration[], version: number): string[] {
  const tables = new Set<string>();
  for (const m of migrations.filter((x) => x.version <= version)) {
    for (const [, verb, name] of m.sql.matchAll(/(CREATE|DROP) TABLE (?:IF (?:NOT )?EXISTS )?(\w+)/gi)) {
      if (verb.toUpperCase() === 'CREATE') tables.add(name);
      else tables.delete(name);
    }
  }
  return [...tables];
}

/** A file-system or SQLite error met while checking an existing file, as an `InputError` naming it. */
function readError(err: unknown, path: string): Error {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return err instanceof Error ? err : new Error(String(err));
  if (code === 'SQLITE_NOTADB') return new InputError(`${path}: not a SQLite database, so not a pnlopt store`);
  if (code.startsWith('SQLITE_CORRUPT')) return new InputError(`${path}: the database is damaged (${(err as Error).message}): restore it from a backup`);
  return new InputError(`${path}: cannot read the database (${(err as Error).message})`);
}
