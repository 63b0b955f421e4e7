/**
 * `pnlopt migrate`: bring a pnlopt store to the newest schema, explicitly. Reading (`--data
 * db:PATH`) never migrates and refuses an older store; the writing commands migrate their own
 * store and say so. Another application's database is refused, never touched (`DatabaseManager`).
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { DatabaseManager } from '../../store/database.js';
import { MIGRATIONS } from '../../store/migrations.js';
import { configFrom } from '../command-config.js';
import { dbPath } from '../data-args.js';
import { printResult, type CommonOptions } from '../options.js';

export interface MigrateOptions extends CommonOptions {
  db?: string;
}

export interface MigrateResult {
  readonly db: string;
  readonly from: number;
  readonly to: number;
  /** The migrations applied, oldest first. */
  readonly applied: readonly { readonly version: number; readonly description: string }[];
}

/** Migrate the store the options name; a missing file is refused (migrating would create a store). */
export function runMigrate(opts: MigrateOptions): MigrateResult {
  const path = dbPath(configFrom(opts), opts.db);
  if (!existsSync(path)) throw new UsageError(`--db ${path}: no such file, nothing to migrate`);
  const dbm = new DatabaseManager(path);
  try {
    const from = dbm.versionAtOpen;
    const to = dbm.schemaVersion();
    const applied = MIGRATIONS.filter((m) => m.version > from && m.version <= to).map((m) => ({ version: m.version, description: m.description }));
    return { db: path, from, to, applied };
  } finally {
    dbm.close();
  }
}

/** Run `pnlopt migrate` (declared in migrate-command.ts, which loads this module when the command runs). */
export function migrateAction(opts: MigrateOptions): void {
  const r = runMigrate(opts);
  printResult(opts, r, () =>
    r.from === r.to
      ? `${r.db}: already at schema version ${r.to}`
      : [`${r.db}: schema version ${r.from} -> ${r.to}`, ...r.applied.map((m) => `  ${m.version}: ${m.description}`)].join('\n'),
  );
}
