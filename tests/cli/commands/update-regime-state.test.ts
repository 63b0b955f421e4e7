/**
 * `pnlopt update-regime-state` in this process (the command in a program of its own, with the
 * exit-code rules of src/cli/main.ts: an `InputError` or a commander usage error is 2), on the
 * frozen test config: JSON and table output, the empty store, bad --db, bad config; --out - runs
 * the built CLI (dist/, `npm run build`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerUpdateRegimeState } from '../../../src/cli/commands/update-regime-state-command.js';
import { loadRegimeState } from '../../../src/config/regime-state-file.js';
import { EXIT_BAD_INPUT, EXIT_OK, InputError } from '../../../src/errors.js';
import { DatabaseManager } from '../../../src/store/database.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { runCli } from '../../helpers/cli.js';
import { TEST_CONFIG_DIR, testConfig } from '../../helpers/config.js';
import { closedTrades, insertFills, type TestFill } from '../../helpers/paper-fills.js';

const rs = testConfig().paper.regime_state;
const dir = mkdtempSync(join(tmpdir(), 'pnlopt-update-regime-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command('pnlopt').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerUpdateRegimeState(program);
  const out: string[] = [];
  const err: string[] = [];
  const [stdoutWrite, stderrWrite] = [process.stdout.write, process.stderr.write];
  const capture = (into: string[]) => ((chunk: string | Uint8Array) => (into.push(String(chunk)), true)) as typeof process.stdout.write;
  let code: number = EXIT_OK;
  try {
    process.stdout.write = capture(out);
    process.stderr.write = capture(err);
    await program.parseAsync(['update-regime-state', '--config-dir', TEST_CONFIG_DIR, ...args], { from: 'user' });
  } catch (e) {
    if (!(e instanceof InputError || e instanceof CommanderError)) throw e;
    err.push(e.message);
    code = EXIT_BAD_INPUT;
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** A closed store file holding `fills`. */
function store(name: string, fills: readonly TestFill[]): string {
  const path = join(dir, name);
  const dbm = new DatabaseManager(path);
  insertFills(dbm, fills);
  dbm.close();
  return path;
}

describe('pnlopt update-regime-state', () => {
  const db = store('fills.db', [...closedTrades('MSFT', Array(10).fill(5)), { ts: 1, ticker: 'AAPL', pnl: null }]);

  it('prints {path, tickers} as JSON and writes the file', async () => {
    const out = join(dir, 'state.yml');
    const r = await cli(['--db', db, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    expect(JSON.parse(r.stdout)).toEqual({
      path: out,
      tickers: {
        AAPL: { n_trades: 0, sharpe_N: null, mode: 'exploration', state: 'neutral', multiplier: rs.multipliers.exploration },
        // Ten equal wins: zero variance, sharpe_N = 5 / epsilon.
        MSFT: { n_trades: 10, sharpe_N: 5 / rs.epsilon, mode: 'exploitation', state: 'green', multiplier: rs.multipliers.green },
      },
    });
    expect(loadRegimeState(out)!.regime_state.get('MSFT')?.state).toBe('green');
  });

  it('prints a table with the multipliers', async () => {
    const out = join(dir, 'table.yml');
    const r = await cli(['--db', db, '--out', out]);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ticker\s+n_trades\s+sharpe_N\s+mode\s+state\s+multiplier$/);
    expect(lines[2]).toMatch(/^AAPL\s+0\s+-\s+exploration\s+neutral\s+0\.25$/);
    expect(lines[3]).toMatch(/^MSFT\s+10\s+5000000000\s+exploitation\s+green\s+1\.2$/);
    expect(lines.at(-1)).toBe(`wrote ${out}`);
  });

  it('writes and says so an empty mapping for a store without fills', async () => {
    const empty = store('empty.db', []);
    const out = join(dir, 'empty.yml');
    const r = await cli(['--db', empty, '--out', out]);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    expect(r.stdout).toBe(`${empty}: no paper fills in trade_executions; wrote an empty regime state (regime_state: {}) to ${out}\n`);
    expect(readFileSync(out, 'utf8')).toMatch(/\nregime_state: \{\}\n$/);
    const j = await cli(['--db', empty, '--out', out, '--json']);
    expect(JSON.parse(j.stdout)).toEqual({ path: out, tickers: {} });
    expect(j.stderr).toContain('no paper fills in trade_executions');
  });

  it('writes the YAML to standard output with --out -, the summary to standard error', () => {
    // A child process: in this one, - is descriptor 1 itself, not the captured stream.
    const r = runCli(['update-regime-state', '--config-dir', TEST_CONFIG_DIR, '--db', db, '--out', '-']);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^# Generated by pnlopt update-regime-state[^]*\nregime_state:\n {2}AAPL:\n/);
    expect(r.stderr).toContain('wrote -');
  });

  it('refuses a bad --db, an older store and a bad config with exit 2, writing nothing', async () => {
    const out = join(dir, 'never.yml');
    const missing = await cli(['--db', join(dir, 'missing.db'), '--out', out]);
    expect([missing.code, missing.stderr]).toEqual([EXIT_BAD_INPUT, `${join(dir, 'missing.db')}: no such database`]);
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
    const text = join(dir, 'text.db');
    writeFileSync(text, 'not a database\n');
    expect((await cli(['--db', text, '--out', out])).code).toBe(EXIT_BAD_INPUT);
    const old = join(dir, 'old.db');
    new DatabaseManager(old, MIGRATIONS.filter((m) => m.version < 7)).close();
    expect((await cli(['--db', old, '--out', out])).stderr).toMatch(/schema version 6; .* run pnlopt migrate/);
    const badSet = await cli(['--db', db, '--out', out, '--set', 'paper_trading.regime_state.min_trades=0']);
    expect(badSet.code).toBe(EXIT_BAD_INPUT);
    expect(badSet.stderr).toMatch(/paper_trading_config\.yml: regime_state\.min_trades: expected integer between 1 and/);
    const noFolder = await cli(['--db', db, '--out', join(dir, 'nowhere', 'x.yml')]);
    expect([noFolder.code, noFolder.stderr]).toEqual([EXIT_BAD_INPUT, `--out ${join(dir, 'nowhere', 'x.yml')}: the folder ${join(dir, 'nowhere')} does not exist`]);
    expect((await cli(['--db', db, '--out', db])).stderr).toContain('is the same file as --db');
    expect(existsSync(out)).toBe(false);
  });
});
