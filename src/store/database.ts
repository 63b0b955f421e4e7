/**
 * `DatabaseManager`: the one owner of the SQLite file. WAL mode, foreign keys on, schema brought to
 * the newest migration on open. Multi-row writes go through `transaction()` so that a failure
 * leaves the database as it was.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

export class DatabaseManager {
  readonly db: Database.Database;

  /** Open (creating folders and file if needed) and migrate. `:memory:` works for tests. */
  constructor(
    readonly path: string,
    migrations: readonly Migration[] = MIGRATIONS,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
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
    this.db.close();
  }

  private migrate(migrations: readonly Migration[]): void {
    const current = this.schemaVersion();
    for (const m of migrations) {
      if (m.version <= current) continue;
      this.transaction(() => {
        this.db.exec(m.sql);
        this.db.pragma(`user_version = ${m.version}`);
      });
    }
  }
}
