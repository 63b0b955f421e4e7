/**
 * How the built CLI reports errors: one line and no stack trace, exit 2 for bad input (a config
 * file's alias bomb) and exit 1 for anything else (with the hint to rerun with --debug); the
 * global `--debug` prints the stack.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DatabaseManager } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { runCli } from '../helpers/cli.js';
import { configDirWith } from '../helpers/config-dir.js';

const STACK = /\n\s+at /;

describe('error reports', () => {
  it('a YAML alias bomb in a config file: exit 2 naming the file, no stack trace', () => {
    const dir = configDirWith('regime_config.yml', () => undefined);
    const levels = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 8; i++) levels.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    writeFileSync(join(dir, 'regime_config.yml'), levels.join('\n') + '\n');
    const r = runCli(['backtest', '--config-dir', dir, '--strategy', 'sma_cross', '--params', 'fast=5,slow=20']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`pnlopt: ${join(dir, 'regime_config.yml')}: (root): YAML: Excessive alias count indicates a resource exhaustion attack\n`);
  });

  it('an unexpected error: exit 1, one line and the --debug hint; with --debug, the stack', () => {
    // A store whose next migration cannot apply (the column it adds is already there): a failure, not bad input.
    const db = join(mkdtempSync(join(tmpdir(), 'pnlopt-main-')), 'odd.db');
    new DatabaseManager(db, MIGRATIONS.filter((m) => m.version < 3)).close();
    const raw = new Database(db);
    raw.exec('ALTER TABLE optimization_candidates ADD COLUMN family TEXT');
    raw.close();
    const plain = runCli(['migrate', '--db', db]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe('pnlopt: internal error: duplicate column name: family (run with --debug for the stack)\n');
    const debug = runCli(['--debug', 'migrate', '--db', db]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^pnlopt: internal error: duplicate column name: family\nSqliteError: duplicate column name: family\n\s+at /);
    expect(plain.stderr).not.toMatch(STACK);
  });
});
